/**
 * An HTTP receiver for `event-tool worker --handler-url http://127.0.0.1:8080/events`: it reads
 * each event as a CloudEvent in binary mode (the event is the JSON body, its metadata `ce-*`
 * headers) and answers 204 (ack). Answer 5xx or 429 to have it redelivered; any other 4xx
 * dead-letters it (reason `rejected`).
 *
 *   deno run --allow-net examples/http_receiver.ts [port]
 */

/** Handles one request: the CloudEvent in, the status out. */
export async function receive(request: Request): Promise<Response> {
  if (request.method !== "POST") return new Response("POST CloudEvents here\n", { status: 405 });
  if (request.headers.get("ce-specversion") !== "1.0") {
    return new Response("expected a CloudEvent (ce-specversion: 1.0)\n", { status: 400 });
  }
  const event = await request.json();
  console.log(
    `${request.headers.get("ce-type")} ${request.headers.get("ce-id")} ` +
      `(attempt ${request.headers.get("ce-deliveryattempt")}): ${event.paymentMethodType} ` +
      `${event.paymentMethodID} for ${event.userID}`,
  );
  return new Response(null, { status: 204 });
}

if (import.meta.main) {
  const port = Number(Deno.args[0] ?? 8080);
  Deno.serve({ hostname: "127.0.0.1", port }, receive);
}
