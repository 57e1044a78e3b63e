import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";

const PROTO = fileURLToPath(new URL("./echo.proto", import.meta.url));

/** What every echo server answers, over gRPC (Who) and as HTTP JSON alike. */
export interface EchoReply {
  /** The version that answered. */
  version: string;
  /** The version header values it received. */
  received: string[];
  /** The service it is a version of, when it was given one (several services behind one gateway). */
  service?: string;
  /** Every value of each header it was asked to report, as received. */
  headers?: Array<{ name: string; values: string[] }>;
}

type EchoPackage = {
  versionrouter: { echo: { Echo: grpc.ServiceClientConstructor } };
};

let definition: grpc.ServiceClientConstructor | undefined;

/** The Echo service definition, loaded from echo.proto on first use. */
export function echoService(): grpc.ServiceClientConstructor {
  definition ??= (
    grpc.loadPackageDefinition(protoLoader.loadSync(PROTO, { keepCase: true, defaults: true, arrays: true })) as unknown as EchoPackage
  ).versionrouter.echo.Echo;
  return definition;
}

export const ECHO_WHO_PATH = "/versionrouter.echo.Echo/Who";
