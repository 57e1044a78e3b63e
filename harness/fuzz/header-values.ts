// Generated version-header values, shared by the property test, `make fuzz` and the
// hostile-input suite through Envoy.
import fc from "fast-check";

const encoder = new TextEncoder();

/** Any bytes at all, lengths up to 64 KiB included, with listed versions and near misses mixed in. */
export function anyHeaderValue(versions: readonly string[]): fc.Arbitrary<Uint8Array> {
  const versionName = fc.constantFrom(...versions).map((v) => encoder.encode(v));
  return fc.oneof(
    { weight: 30, arbitrary: versionName },
    // Near misses: a listed version with one byte changed, added or cut.
    {
      weight: 20,
      arbitrary: fc.tuple(versionName, fc.nat(), fc.integer({ min: 0, max: 255 })).map(([v, at, byte]) => {
        const out = Uint8Array.from(v);
        out[at % out.length] = byte;
        return out;
      }),
    },
    { weight: 5, arbitrary: versionName.map((v) => v.subarray(0, v.length - 1)) },
    { weight: 5, arbitrary: versionName.map((v) => Uint8Array.from([...v, 0x20])) },
    { weight: 30, arbitrary: fc.uint8Array({ maxLength: 32 }) },
    { weight: 9, arbitrary: fc.string({ unit: "grapheme", maxLength: 16 }).map((s) => encoder.encode(s)) },
    { weight: 1, arbitrary: fc.uint8Array({ minLength: 1024, maxLength: 64 * 1024, size: "max" }) },
  );
}

/** The version header as a whole request carries it: a valid version (alone or repeated) often, anything otherwise. */
export function anyVersionHeaders(versions: readonly string[]): fc.Arbitrary<Uint8Array[]> {
  const versionName = fc.constantFrom(...versions).map((v) => encoder.encode(v));
  return fc.oneof(
    { weight: 3, arbitrary: versionName.map((v) => [v]) },
    { weight: 1, arbitrary: fc.tuple(versionName, fc.integer({ min: 2, max: 3 })).map(([v, n]) => Array<Uint8Array>(n).fill(v)) },
    { weight: 6, arbitrary: fc.array(anyHeaderValue(versions), { maxLength: 3 }) },
  );
}

// What an HTTP codec lets through unchanged: visible ASCII and obs-text, spaces and tabs
// only inside (Envoy trims them at the ends). CR, LF and NUL end a header and never arrive.
const WIRE_BYTE = fc.oneof(fc.integer({ min: 0x21, max: 0x7e }), fc.integer({ min: 0x80, max: 0xff }));
const INNER_BYTE = fc.oneof({ weight: 10, arbitrary: WIRE_BYTE }, { weight: 1, arbitrary: fc.constantFrom(0x20, 0x09) });

/** A header value a client can send over HTTP/1.1 or HTTP/2, as a latin1 string. */
export function wireHeaderValue(versions: readonly string[], ascii: boolean): fc.Arbitrary<string> {
  const byte = ascii ? fc.integer({ min: 0x21, max: 0x7e }) : WIRE_BYTE;
  const inner = ascii ? fc.oneof({ weight: 10, arbitrary: byte }, { weight: 1, arbitrary: fc.constant(0x20) }) : INNER_BYTE;
  const text = fc.tuple(byte, fc.array(inner, { maxLength: 40 }), byte).map(([a, mid, z]) => String.fromCharCode(a, ...mid, z));
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...versions) },
    { weight: 2, arbitrary: fc.constantFrom(...versions).map((v) => v.toUpperCase()) },
    { weight: 1, arbitrary: byte.map((b) => String.fromCharCode(b)) },
    { weight: 10, arbitrary: text },
  );
}
