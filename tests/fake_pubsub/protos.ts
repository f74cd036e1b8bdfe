/**
 * The protocol the fake speaks: the Publisher and Subscriber services as `@google-cloud/pubsub`
 * ships them (its bundled descriptor, build/protos/protos.json, loaded by `@grpc/proto-loader`),
 * and a gRPC error carrying a `google.rpc.Status` with `google.rpc.ErrorInfo` details in the
 * `grpc-status-details-bin` trailer, as Pub/Sub sends exactly-once ack failures.
 */
import * as grpc from "@grpc/grpc-js";
import { fromJSON } from "@grpc/proto-loader";
import protobuf from "protobufjs";
import { Buffer } from "node:buffer";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const DESCRIPTOR = require.resolve("@google-cloud/pubsub/build/protos/protos.json");

/** The service definitions grpc-js serves. */
export interface PubSubServices {
  publisher: grpc.ServiceDefinition;
  subscriber: grpc.ServiceDefinition;
}

type Loaded = {
  google: { pubsub: { v1: Record<string, { service: grpc.ServiceDefinition }> } };
};

let services: PubSubServices | undefined;

/** Pub/Sub's Publisher and Subscriber services (fields camelCase, 64-bit integers as strings). */
export function pubsubServices(): PubSubServices {
  if (services) return services;
  const json = JSON.parse(Deno.readTextFileSync(DESCRIPTOR));
  const definition = fromJSON(json, {
    longs: String,
    enums: String,
    defaults: false,
    oneofs: true,
  });
  const v1 = (grpc.loadPackageDefinition(definition) as unknown as Loaded).google.pubsub.v1;
  services = { publisher: v1.Publisher!.service, subscriber: v1.Subscriber!.service };
  return services;
}

/** google.rpc.Status and google.rpc.ErrorInfo, as google/rpc/*.proto declare them. */
const rpc = protobuf.Root.fromJSON({
  nested: {
    google: {
      nested: {
        protobuf: {
          nested: {
            Any: {
              fields: { type_url: { type: "string", id: 1 }, value: { type: "bytes", id: 2 } },
            },
          },
        },
        rpc: {
          nested: {
            Status: {
              fields: {
                code: { type: "int32", id: 1 },
                message: { type: "string", id: 2 },
                details: { rule: "repeated", type: "google.protobuf.Any", id: 3 },
              },
            },
            ErrorInfo: {
              fields: {
                reason: { type: "string", id: 1 },
                domain: { type: "string", id: 2 },
                metadata: { keyType: "string", type: "string", id: 3 } as protobuf.IField,
              },
            },
          },
        },
      },
    },
  },
});
const Status = rpc.lookupType("google.rpc.Status");
const ErrorInfo = rpc.lookupType("google.rpc.ErrorInfo");

/** A gRPC error as grpc-js sends it: code, message, trailers. */
export type GrpcError = Partial<grpc.StatusObject> & { code: number; details: string };

/** An error with `code` and `details` only. */
export function grpcError(code: number, details: string): GrpcError {
  return { code, details };
}

/**
 * An error whose trailers carry a google.rpc.Status with one ErrorInfo (`reason`, `domain`,
 * `metadata`): what google-gax reads into `GoogleError.reason` and `errorInfoMetadata`.
 */
export function errorWithInfo(
  code: number,
  details: string,
  info: { reason: string; domain: string; metadata: Record<string, string> },
): GrpcError {
  const any = {
    type_url: "type.googleapis.com/google.rpc.ErrorInfo",
    value: ErrorInfo.encode(ErrorInfo.create(info)).finish(),
  };
  const status = Status.encode(Status.create({ code, message: details, details: [any] })).finish();
  const metadata = new grpc.Metadata();
  metadata.set("grpc-status-details-bin", Buffer.from(status));
  return { code, details, metadata };
}

/** gRPC status codes the fake answers with. */
export const CODE = grpc.status;
