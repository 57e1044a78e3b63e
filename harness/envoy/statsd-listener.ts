// A statsd listener on 127.0.0.1: what Envoy's statsd sink pushes, counters summed by name.
// Envoy flushes its sinks one last time as it shuts down, which is what a pull (/stats,
// Prometheus) never sees.
import { createSocket } from "node:dgram";

export interface StatsdListener {
  port: number;
  /** The sum of every delta received for each counter, by its statsd name (`envoy.<stat>`). */
  counters(): Map<string, number>;
  stop(): Promise<void>;
}

export async function startStatsdListener(): Promise<StatsdListener> {
  const socket = createSocket("udp4");
  const counters = new Map<string, number>();
  socket.on("message", (message) => {
    for (const line of message.toString("utf8").split("\n")) {
      const m = /^(.+):(\d+)\|c$/.exec(line);
      if (m) counters.set(m[1]!, (counters.get(m[1]!) ?? 0) + Number(m[2]));
    }
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(0, "127.0.0.1", resolve);
  });
  return {
    port: socket.address().port,
    counters: () => new Map(counters),
    stop: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}
