// One client per protocol behind one interface: send a request carrying the given
// version header values, and report which version answered and what it received.

import { type ClientHttp2Session, connect, constants } from "node:http2";
import * as grpc from "@grpc/grpc-js";
import { Client } from "undici";
import { type EchoReply, echoService } from "../upstreams/echo-proto.js";
import { DEFAULT_VERSION_HEADER, SERVED_HEADER } from "../version-header.js";

export type Protocol = "http1" | "http2" | "grpc";
export const PROTOCOLS: readonly Protocol[] = ["http1", "http2", "grpc"];

export interface Answer {
  /** HTTP status, or the gRPC status code name. */
  status: string;
  /** The version that answered, when one did. */
  version?: string;
  /** The version header values that version received. */
  received?: string[];
  /** The response header x-version-served, which each version's route adds. */
  served?: string;
  /** The service the answering version belongs to, when its upstream reports one. */
  service?: string;
}

export interface ClientOptions {
  /** The :authority (HTTP/1.1 Host) every request names; default the URL's host and port. */
  authority?: string;
}

export { SERVED_HEADER };

export interface SendOptions {
  /** Extra request headers (HTTP) or metadata (gRPC). */
  extra?: Record<string, string>;
}

export interface VersionClient {
  readonly protocol: Protocol;
  /** One request on this client's single connection; `values` are sent as separate header fields. */
  send(values: readonly string[], options?: SendOptions): Promise<Answer>;
  close(): Promise<void>;
}

function answerOf(statusCode: number, text: string, served: unknown): Answer {
  const answer: Answer = { status: String(statusCode) };
  if (statusCode === 200) {
    const body = JSON.parse(text) as EchoReply;
    answer.version = body.version;
    answer.received = body.received;
    if (body.service) answer.service = body.service;
  }
  if (typeof served === "string") answer.served = served;
  return answer;
}

function http1Client(url: string, header: string, authority: string | undefined): VersionClient {
  const client = new Client(url, { pipelining: 1 });
  return {
    protocol: "http1",
    async send(values, options = {}) {
      const headers: string[] = authority ? ["host", authority] : [];
      for (const value of values) headers.push(header, value);
      for (const [k, v] of Object.entries(options.extra ?? {})) headers.push(k, v);
      const res = await client.request({ method: "GET", path: "/who", headers });
      return answerOf(res.statusCode, await res.body.text(), res.headers[SERVED_HEADER]);
    },
    close: async () => {
      if (!client.closed && !client.destroyed) await client.close();
    },
  };
}

// HTTP/2 with prior knowledge over node:http2, not undici: undici folds repeated header
// fields into one comma-joined value on HTTP/2, so it cannot send a header twice.
function http2Client(url: string, header: string, authority: string | undefined): VersionClient {
  let session: ClientHttp2Session | undefined;
  const open = () => {
    if (!session || session.closed || session.destroyed) session = connect(url);
    return session;
  };
  return {
    protocol: "http2",
    send(values, options = {}) {
      const headers: Record<string, string | string[]> = {
        ...options.extra,
        [constants.HTTP2_HEADER_PATH]: "/who",
        ...(authority ? { [constants.HTTP2_HEADER_AUTHORITY]: authority } : {}),
      };
      if (values.length > 0) headers[header] = values.length === 1 ? values[0]! : [...values];
      return new Promise<Answer>((resolve, reject) => {
        const stream = open().request(headers, { endStream: true });
        let status = 0;
        let served: unknown;
        let text = "";
        stream.setEncoding("utf8");
        stream.on("response", (h) => {
          status = Number(h[constants.HTTP2_HEADER_STATUS]);
          served = h[SERVED_HEADER];
        });
        stream.on("data", (chunk: string) => (text += chunk));
        stream.on("end", () => resolve(answerOf(status, text, served)));
        stream.on("error", reject);
      });
    },
    async close() {
      if (session && !session.closed) await new Promise<void>((resolve) => session!.close(() => resolve()));
    },
  };
}

function grpcClient(url: string, header: string, authority: string | undefined): VersionClient {
  const target = url.replace(/^http:\/\//, "");
  // Its own subchannel pool: one client is one HTTP/2 connection, not shared with other clients.
  const client = new (echoService())(target, grpc.credentials.createInsecure(), {
    "grpc.use_local_subchannel_pool": 1,
    ...(authority ? { "grpc.default_authority": authority } : {}),
  }) as unknown as grpc.Client & {
    Who(
      request: object,
      metadata: grpc.Metadata,
      options: grpc.CallOptions,
      callback: grpc.requestCallback<EchoReply>,
    ): grpc.ClientUnaryCall;
  };
  return {
    protocol: "grpc",
    send(values, options = {}) {
      const metadata = new grpc.Metadata();
      for (const value of values) metadata.add(header, value);
      for (const [k, v] of Object.entries(options.extra ?? {})) metadata.add(k, v);
      return new Promise<Answer>((resolve) => {
        let served: string | undefined;
        const call = client.Who({ note: "who" }, metadata, { deadline: Date.now() + 10_000 }, (err, reply) => {
          const answer: Answer = err
            ? { status: grpc.status[err.code] ?? String(err.code) }
            : { status: "OK", version: reply!.version, received: reply!.received, ...(reply!.service ? { service: reply!.service } : {}) };
          if (served !== undefined) answer.served = served;
          resolve(answer);
        });
        call.on("metadata", (md: grpc.Metadata) => {
          const value = md.get(SERVED_HEADER)[0];
          if (value !== undefined) served = String(value);
        });
      });
    },
    async close() {
      client.close();
    },
  };
}

export function openClient(protocol: Protocol, url: string, header = DEFAULT_VERSION_HEADER, options: ClientOptions = {}): VersionClient {
  const { authority } = options;
  if (protocol === "grpc") return grpcClient(url, header, authority);
  return protocol === "http1" ? http1Client(url, header, authority) : http2Client(url, header, authority);
}
