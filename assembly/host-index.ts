// Which services claim a host, found the way Envoy picks a virtual host: the exact name first,
// then the longest `*.` suffix, then `*`; without regard to case. The patterns are searched in
// order, comparing lengths before bytes: a gateway's few dozen hosts cost less that way than a
// hash of every request's host would (and the module stays smaller).
import { ServiceModel } from "./config-model";
import { utf8 } from "./proxy-wasm";

/** One host pattern and the services (indices) that claim it. */
export class HostEntry {
  constructor(
    /** Lower case; a wildcard `*.example.com` is kept as `.example.com`, and `*` as "". */
    readonly key: ArrayBuffer,
    readonly services: i32[],
  ) {}
}

// Keys of the patterns: `*` is the empty key, found for every host no other pattern claims.
function keyOf(pattern: string): string {
  return pattern == "*" ? "" : pattern.startsWith("*.") ? pattern.substring(1, pattern.length) : pattern;
}

export class HostIndex {
  private readonly entries: HostEntry[] = [];
  private wildcards: bool = false;

  /** Builds the index from each service's host patterns (lower case; `*`, `*.name` or a name). */
  constructor(services: ServiceModel[]) {
    for (let s = 0; s < services.length; s++) {
      const hosts = services[s].hosts;
      for (let h = 0; h < hosts.length; h++) {
        const key = utf8(keyOf(hosts[h]));
        if (key.byteLength > 0 && load<u8>(changetype<usize>(key)) == 0x2e) this.wildcards = true;
        const found = this.lookup(changetype<usize>(key), key.byteLength);
        if (found !== null) found.services.push(s);
        else this.entries.push(new HostEntry(key, [s]));
      }
    }
  }

  /** The entry for a request's host (without its port), or null when no service claims it. */
  find(data: usize, size: u32): HostEntry | null {
    // A host starting with '.' is no name; only wildcard keys do.
    if (size == 0 || load<u8>(data) != 0x2e) {
      const exact = this.lookup(data, size);
      if (exact !== null) return exact;
    }
    if (this.wildcards) {
      for (let i: u32 = 1; i < size; i++) {
        if (load<u8>(data + i) != 0x2e) continue;
        const suffix = this.lookup(data + i, size - i);
        if (suffix !== null) return suffix;
      }
    }
    return this.lookup(0, 0);
  }

  private lookup(data: usize, size: u32): HostEntry | null {
    for (let i = 0; i < this.entries.length; i++) {
      const entry = unchecked(this.entries[i]);
      if (sameLowerCase(data, size, entry.key)) return entry;
    }
    return null;
  }
}

function sameLowerCase(data: usize, size: u32, key: ArrayBuffer): bool {
  if (<i32>size != key.byteLength) return false;
  const k = changetype<usize>(key);
  for (let i: u32 = 0; i < size; i++) {
    const c = <u32>load<u8>(data + i);
    if ((c - 0x41 < 26 ? c + 0x20 : c) != <u32>load<u8>(k + i)) return false;
  }
  return true;
}
