// Istio's bootstrap dials xDS on a Unix socket that istio-agent serves and forwards to
// istiod (adding the pod's credentials). Without the agent, this forwards the same socket to
// istiod's plaintext xDS port.
import { connect, createServer, type Server } from "node:net";

export interface XdsPipe {
  stop(): Promise<void>;
}

export async function startXdsPipe(path: string, istiod: { host: string; port: number }): Promise<XdsPipe> {
  const open = new Set<{ destroy(): void }>();
  const server: Server = createServer((envoy) => {
    const upstream = connect(istiod.port, istiod.host);
    envoy.pipe(upstream).pipe(envoy);
    open.add(envoy).add(upstream);
    const close = () => {
      envoy.destroy();
      upstream.destroy();
      open.delete(envoy);
      open.delete(upstream);
    };
    envoy.on("error", close).on("close", close);
    upstream.on("error", close).on("close", close);
  });
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(path, resolve));
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of open) socket.destroy();
      }),
  };
}
