/**
 * OpenTelemetry tracing, off unless `--otel`: a tracer provider exporting over OTLP/HTTP where
 * the standard OTEL_* variables say (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_SERVICE_NAME, …). The
 * Pub/Sub client adds its own spans (`enableOpenTelemetryTracing`); the worker adds one span
 * per handled event.
 */
import { type Span, SpanStatusCode, trace } from "@opentelemetry/api";
import type { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import denoJson from "../../deno.json" with { type: "json" };

/** Name of the tracer and default service name. */
export const TRACER_NAME = "event-tool";

let provider: NodeTracerProvider | undefined;

/**
 * Starts exporting traces (idempotent). The SDK and exporter are loaded only here, so a worker
 * without `--otel` does not carry them (measured: they cost resident memory and start-up time).
 */
export async function startTracing(): Promise<void> {
  if (provider) return;
  const [
    { OTLPTraceExporter },
    { resourceFromAttributes },
    { BatchSpanProcessor, NodeTracerProvider },
  ] = await Promise.all([
    import("@opentelemetry/exporter-trace-otlp-http"),
    import("@opentelemetry/resources"),
    import("@opentelemetry/sdk-trace-node"),
  ]);
  provider = new NodeTracerProvider({
    resource: resourceFromAttributes({
      "service.name": Deno.env.get("OTEL_SERVICE_NAME") ?? TRACER_NAME,
      "service.version": denoJson.version,
    }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  provider.register();
}

/** Exports what is buffered and stops tracing. */
export async function stopTracing(): Promise<void> {
  await provider?.shutdown();
  provider = undefined;
}

/** Whether traces are exported (`--otel`): callers skip making a span's attributes without. */
export function tracing(): boolean {
  return provider !== undefined;
}

/**
 * Runs `work` inside a span named `name` with the `attributes` it makes; records a rejection as
 * the span's error. Without tracing it just runs `work`, making no attributes (even the API's
 * no-op tracer costs a context switch per event, measurable at thousands of events per second).
 */
export function inSpan<T>(
  name: string,
  attributes: () => Record<string, string | number>,
  work: (span: Span | undefined) => Promise<T>,
): Promise<T> {
  if (provider === undefined) return work(undefined);
  return trace.getTracer(TRACER_NAME, denoJson.version).startActiveSpan(
    name,
    { attributes: attributes() },
    async (span) => {
      try {
        return await work(span);
      } catch (error) {
        span.recordException(error instanceof Error ? error : String(error));
        span.setStatus({ code: SpanStatusCode.ERROR });
        throw error;
      } finally {
        span.end();
      }
    },
  );
}
