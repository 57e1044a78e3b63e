// Closed-loop traffic for as long as it runs: a few workers per protocol, each on its own
// long-lived connection, each request keyed by a user from a fixed set.
import { performance } from "node:perf_hooks";
import { openClient, type Protocol } from "../clients/version-client.js";

export interface Sample {
  protocol: Protocol;
  key: string;
  /** performance.now() when the request was sent and when its answer was complete. */
  start: number;
  end: number;
  status: string;
  version?: string;
  /** The service whose version answered, when its upstream reports one. */
  service?: string;
}

export interface TrafficOptions {
  protocols: readonly Protocol[];
  workersPerProtocol: number;
  keys: readonly string[];
  /** The request header that carries the key. */
  keyHeader: string;
  /** The :authority every request names; default the URL's. */
  authority?: string;
}

export interface Traffic {
  readonly samples: Sample[];
  stop(): Promise<void>;
}

export function startTraffic(url: string, options: TrafficOptions): Traffic {
  const samples: Sample[] = [];
  let stopped = false;
  let next = 0;
  const worker = async (protocol: Protocol) => {
    const client = openClient(protocol, url, undefined, options.authority ? { authority: options.authority } : {});
    try {
      while (!stopped) {
        const key = options.keys[next++ % options.keys.length]!;
        const start = performance.now();
        const sample: Sample = { protocol, key, start, end: start, status: "" };
        try {
          const answer = await client.send([], { extra: { [options.keyHeader]: key } });
          sample.status = answer.status;
          if (answer.version !== undefined) sample.version = answer.version;
          if (answer.service !== undefined) sample.service = answer.service;
        } catch (err) {
          sample.status = `error: ${(err as Error).message}`;
        }
        sample.end = performance.now();
        samples.push(sample);
      }
    } finally {
      await client.close();
    }
  };
  const workers = options.protocols.flatMap((p) => Array.from({ length: options.workersPerProtocol }, () => worker(p)));
  return {
    samples,
    stop: async () => {
      stopped = true;
      await Promise.all(workers);
    },
  };
}
