// One HTTP and one gRPC echo server per version, on loopback and ephemeral ports. Each
// answers with its own version and the version header values it received.

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import * as grpc from "@grpc/grpc-js";
import { DEFAULT_VERSION_HEADER } from "../version-header.js";
import { type EchoReply, echoService } from "./echo-proto.js";

export interface VersionUpstream {
  version: string;
  /** The loopback address both servers listen on. */
  host: string;
  httpPort: number;
  grpcPort: number;
}

export interface Upstreams {
  byVersion: Map<string, VersionUpstream>;
  stop(): Promise<void>;
}

interface EchoOptions {
  version: string;
  header: string;
  host: string;
  service: string | undefined;
  reportHeaders: readonly string[];
}

async function startHttpEcho({ version, header, host, service, reportHeaders }: EchoOptions): Promise<Server> {
  const server = createServer((req, res) => {
    const body: EchoReply = {
      version,
      received: req.headersDistinct[header] ?? [],
      ...(service ? { service } : {}),
      ...(reportHeaders.length > 0 ? { headers: reportHeaders.map((name) => ({ name, values: req.headersDistinct[name] ?? [] })) } : {}),
    };
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return server;
}

async function startGrpcEcho({
  version,
  header,
  host,
  service,
  reportHeaders,
}: EchoOptions): Promise<{ server: grpc.Server; port: number }> {
  const server = new grpc.Server();
  server.addService(echoService().service, {
    Who: (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      const received = call.metadata.get(header).map(String);
      const headers = reportHeaders.map((name) => ({ name, values: call.metadata.get(name).map(String) }));
      callback(null, { version, received, service: service ?? "", headers });
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:0`, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return { server, port };
}

export interface UpstreamOptions {
  /** The version header the echo servers report; default grpcsvc. */
  header?: string;
  /** The loopback address of the i-th version's servers; default 127.0.0.1 for all. */
  hostOf?: (index: number) => string;
  /** The service these are versions of, which they report: several services behind one gateway. */
  service?: string;
  /** More request headers whose every value each answer reports. */
  reportHeaders?: readonly string[];
}

export async function startUpstreams(versions: readonly string[], options: UpstreamOptions = {}): Promise<Upstreams> {
  const header = options.header ?? DEFAULT_VERSION_HEADER;
  const https: Server[] = [];
  const grpcs: grpc.Server[] = [];
  const byVersion = new Map<string, VersionUpstream>();
  const stop = async () => {
    await Promise.all([
      ...https.map(
        (s) =>
          new Promise<void>((resolve) => {
            s.closeAllConnections();
            s.close(() => resolve());
          }),
      ),
      ...grpcs.map((s) => Promise.resolve(s.forceShutdown())),
    ]);
  };
  try {
    for (const [index, version] of versions.entries()) {
      const host = options.hostOf?.(index) ?? "127.0.0.1";
      const echo = { version, header, host, service: options.service, reportHeaders: options.reportHeaders ?? [] };
      const http = await startHttpEcho(echo);
      https.push(http);
      const { server, port } = await startGrpcEcho(echo);
      grpcs.push(server);
      byVersion.set(version, { version, host, httpPort: (http.address() as AddressInfo).port, grpcPort: port });
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { byVersion, stop };
}
