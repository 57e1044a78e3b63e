// The realistic scenario's upstream, run as its own process (see real-upstream.ts): the
// harness's echo servers (HTTP/1.1 and gRPC) plus an HTTP/2 cleartext one, all on loopback.
// Prints their ports as one JSON line, then serves until it is stopped.
import { createServer } from "node:http2";
import { startUpstreams } from "../upstreams/start-upstreams.js";

const VERSION = "upstream";
const upstreams = await startUpstreams([VERSION]);
const echo = upstreams.byVersion.get(VERSION)!;
const h2c = createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ version: VERSION, received: [] }));
  });
});
await new Promise<void>((resolve) => h2c.listen(0, "127.0.0.1", resolve));
const address = h2c.address();
if (address === null || typeof address === "string") throw new Error("h2c server has no port");
console.log(JSON.stringify({ http1: echo.httpPort, http2: address.port, grpc: echo.grpcPort }));
process.on("SIGTERM", () => {
  h2c.close();
  void upstreams.stop().then(() => process.exit(0));
});
