// An ordered, multi-valued header map over raw bytes, as Envoy keeps one.

export type HeaderInput = readonly [name: string, value: string | Uint8Array];

const utf8Encoder = new TextEncoder();

export function toBytes(value: string | Uint8Array): Uint8Array {
  return typeof value === "string" ? utf8Encoder.encode(value) : value;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

export class HeaderMap {
  readonly entries: Array<[key: Uint8Array, value: Uint8Array]>;

  constructor(headers: readonly HeaderInput[] = []) {
    const entries = headers.map(([k, v]): [Uint8Array, Uint8Array] => [toBytes(k.toLowerCase()), toBytes(v)]);
    // Envoy keeps pseudo-headers (:authority, :path, ...) ahead of every other header.
    const pseudo = (key: Uint8Array) => key[0] === 0x3a;
    this.entries = [...entries.filter(([k]) => pseudo(k)), ...entries.filter(([k]) => !pseudo(k))];
  }

  values(key: string | Uint8Array): Uint8Array[] {
    const k = toBytes(key);
    return this.entries.filter(([ek]) => sameBytes(ek, k)).map(([, v]) => v);
  }

  /** Values as text (UTF-8, invalid bytes replaced), for assertions. */
  strings(key: string): string[] {
    return this.values(key).map((v) => Buffer.from(v).toString("utf8"));
  }

  add(key: Uint8Array, value: Uint8Array): void {
    this.entries.push([key, value]);
  }

  /** Replaces the first occurrence and leaves later ones, as older Envoy releases do. */
  replace(key: Uint8Array, value: Uint8Array): void {
    const entry = this.entries.find(([ek]) => sameBytes(ek, key));
    if (entry) entry[1] = value;
    else this.add(key, value);
  }

  remove(key: Uint8Array): void {
    for (let i = this.entries.length - 1; i >= 0; i--) {
      if (sameBytes(this.entries[i]![0], key)) this.entries.splice(i, 1);
    }
  }

  /** The ABI's serialized form: count, sizes, then NUL-terminated keys and values. */
  serialize(): Uint8Array {
    const size = 4 + this.entries.reduce((n, [k, v]) => n + 8 + k.length + v.length + 2, 0);
    const out = new Uint8Array(size);
    const view = new DataView(out.buffer);
    view.setUint32(0, this.entries.length, true);
    let at = 4;
    for (const [k, v] of this.entries) {
      view.setUint32(at, k.length, true);
      view.setUint32(at + 4, v.length, true);
      at += 8;
    }
    for (const [k, v] of this.entries) {
      out.set(k, at);
      at += k.length + 1;
      out.set(v, at);
      at += v.length + 1;
    }
    return out;
  }
}
