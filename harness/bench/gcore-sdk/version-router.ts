// The benchmark's peer: version-router's core behaviour written the way the
// @gcoredev/proxy-wasm-sdk-as SDK is meant to be used (an object per stream, headers read
// as an array of pairs, one host call per counter increment), so `make bench` shows what
// the project's own ABI layer saves. Configuration: "<header> <default> <v1,v2,...>".
export * from "@gcoredev/proxy-wasm-sdk-as/assembly/proxy";

import {
  Context,
  Counter,
  FilterHeadersStatusValues,
  RootContext,
  registerRootContext,
  stream_context,
} from "@gcoredev/proxy-wasm-sdk-as/assembly";

const REASONS = ["explicit", "invalid", "default"];

class Router extends RootContext {
  header: string = "grpcsvc";
  fallback: string = "v1";
  versions: string[] = [];
  counters: Counter[] = [];

  onConfigure(size: u32): bool {
    super.onConfigure(size);
    const parts = this.getConfiguration().split(" ");
    if (parts.length != 3) return false;
    this.header = parts[0];
    this.fallback = parts[1];
    this.versions = parts[2].split(",");
    if (!this.versions.includes(this.fallback)) return false;
    for (let v = 0; v < this.versions.length; v++) {
      for (let r = 0; r < REASONS.length; r++) {
        this.counters.push(new Counter("gcore_router.version." + this.versions[v] + ".reason." + REASONS[r] + ".requests_total"));
      }
    }
    return true;
  }

  createContext(id: u32): Context {
    return new RouterStream(id, this);
  }

  count(version: string, reason: i32): void {
    this.counters[this.versions.indexOf(version) * REASONS.length + reason].increment(1);
  }
}

class RouterStream extends Context {
  onRequestHeaders(count: u32, endOfStream: bool): FilterHeadersStatusValues {
    const root = <Router>this.root_context;
    const headers = stream_context.headers.request.get_headers();
    let first: string | null = null;
    let same = true;
    for (let i = 0; i < headers.length; i++) {
      if (String.UTF8.decode(headers[i].key) != root.header) continue;
      const value = String.UTF8.decode(headers[i].value);
      if (first === null) first = value;
      else if (value != first) same = false;
    }
    if (first === null) {
      stream_context.headers.request.add(root.header, root.fallback);
      root.count(root.fallback, 2);
    } else if (same && root.versions.includes(first)) {
      root.count(first, 0);
    } else {
      stream_context.headers.request.remove(root.header);
      stream_context.headers.request.add(root.header, root.fallback);
      root.count(root.fallback, 1);
    }
    return FilterHeadersStatusValues.Continue;
  }
}

registerRootContext((id: u32): RootContext => new Router(id), "version-router");
