// One HTTP and one gRPC echo server per version, on loopback and ephemeral ports. Each
// answers with its own version and the version header values it received (or, failing, with
// HTTP 503 / gRPC UNAVAILABLE), and logs every request it got.

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

/** One request an echo server got. */
export interface EchoRequest {
  version: string;
  /** The Host / :authority it named (HTTP only; "" over gRPC). */
  authority: string;
  /** The version header values it carried. */
  received: string[];
}

export interface Upstreams {
  byVersion: Map<string, VersionUpstream>;
  /** Every request the servers got, in order. */
  readonly requests: EchoRequest[];
  stop(): Promise<void>;
}

interface EchoOptions {
  version: string;
  header: string;
  host: string;
  service: string | undefined;
  reportHeaders: readonly string[];
  failing: boolean;
  log: EchoRequest[];
}

async function startHttpEcho({ version, header, host, service, reportHeaders, failing, log }: EchoOptions): Promise<Server> {
  const server = createServer((req, res) => {
    log.push({ version, authority: req.headers.host ?? "", received: req.headersDistinct[header] ?? [] });
    if (failing) {
      res.writeHead(503).end();
      return;
    }
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
  failing,
  log,
}: EchoOptions): Promise<{ server: grpc.Server; port: number }> {
  const server = new grpc.Server();
  server.addService(echoService().service, {
    Who: (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      const received = call.metadata.get(header).map(String);
      log.push({ version, authority: "", received });
      if (failing) {
        callback({ code: grpc.status.UNAVAILABLE, details: "failing, as asked" });
        return;
      }
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
  /** Answer every request with HTTP 503 / gRPC UNAVAILABLE: an unhealthy endpoint. */
  failing?: boolean;
}

export async function startUpstreams(versions: readonly string[], options: UpstreamOptions = {}): Promise<Upstreams> {
  const header = options.header ?? DEFAULT_VERSION_HEADER;
  const https: Server[] = [];
  const grpcs: grpc.Server[] = [];
  const byVersion = new Map<string, VersionUpstream>();
  const requests: EchoRequest[] = [];
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
      const echo = {
        version,
        header,
        host,
        service: options.service,
        reportHeaders: options.reportHeaders ?? [],
        failing: options.failing ?? false,
        log: requests,
      };
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
  return { byVersion, requests, stop };
}
