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
}

type EchoPackage = {
  versionrouter: { echo: { Echo: grpc.ServiceClientConstructor } };
};

/** The Echo service definition, loaded once from echo.proto. */
export const EchoService: grpc.ServiceClientConstructor = (
  grpc.loadPackageDefinition(protoLoader.loadSync(PROTO, { keepCase: true, defaults: true, arrays: true })) as unknown as EchoPackage
).versionrouter.echo.Echo;

export const ECHO_WHO_PATH = "/versionrouter.echo.Echo/Who";
