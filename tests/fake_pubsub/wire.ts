/**
 * Request sizes as they came over the wire: the service definitions' deserializers are wrapped to
 * remember each request's serialized size (the 512 KiB limit is on bytes, not on ack IDs).
 */
import type * as grpc from "@grpc/grpc-js";
import type { Buffer } from "node:buffer";

const sizes = new WeakMap<object, number>();

/** The serialized size of `request` (0 when it did not come over the wire). */
export function sizeOf(request: object): number {
  return sizes.get(request) ?? 0;
}

/** `service` with deserializers that remember each request's size. */
export function measured(service: grpc.ServiceDefinition): grpc.ServiceDefinition {
  const wrapped: Record<string, grpc.MethodDefinition<object, unknown>> = {};
  for (const [name, method] of Object.entries(service)) {
    wrapped[name] = {
      ...method,
      requestDeserialize: (buffer: Buffer) => {
        const request = method.requestDeserialize(buffer);
        if (typeof request === "object" && request !== null) sizes.set(request, buffer.length);
        return request;
      },
    };
  }
  return wrapped as grpc.ServiceDefinition;
}
