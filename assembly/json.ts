// A strict JSON reader for the plugin configuration. No AssemblyScript JSON library on
// the registry both builds with AssemblyScript 0.28 and reports *where* a document is
// wrong, which is what a user fixing a config needs.
import { charText } from "./char-classes";
import { decimal } from "./proxy-wasm";

export enum JsonKind {
  Null,
  Bool,
  Number,
  String,
  Array,
  Object,
}

export class JsonValue {
  kind: JsonKind = JsonKind.Null;
  bool: bool = false;
  /** Numbers are read as integers only; `integral` is false for any other number. */
  integer: i64 = 0;
  integral: bool = false;
  text: string = "";
  items: JsonValue[] = [];
  keys: string[] = [];

  /** The member named `key` of an object, or null. */
  get(key: string): JsonValue | null {
    for (let i = 0; i < this.keys.length; i++) {
      if (this.keys[i] == key) return this.items[i];
    }
    return null;
  }
}

export class JsonParse {
  value: JsonValue | null = null;
  error: string = "";
}

const MAX_DEPTH = 32;

class JsonParser {
  pos: i32 = 0;
  error: string = "";
  constructor(readonly src: string) {}

  fail(message: string): JsonValue | null {
    if (this.error.length == 0) this.error = message + " at offset " + decimal(this.pos);
    return null;
  }

  skipSpace(): void {
    while (this.pos < this.src.length) {
      const c = this.src.charCodeAt(this.pos);
      if (c != 0x20 && c != 0x09 && c != 0x0a && c != 0x0d) break;
      this.pos++;
    }
  }

  value(depth: i32): JsonValue | null {
    if (depth > MAX_DEPTH) return this.fail("nested too deeply");
    this.skipSpace();
    if (this.pos >= this.src.length) return this.fail("unexpected end");
    const c = this.src.charCodeAt(this.pos);
    if (c == 0x7b) return this.object(depth);
    if (c == 0x5b) return this.array(depth);
    if (c == 0x22) {
      const text = this.string();
      if (text === null) return null;
      const v = new JsonValue();
      v.kind = JsonKind.String;
      v.text = text;
      return v;
    }
    if (c == 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
    if (this.literal("true")) return boolValue(true);
    if (this.literal("false")) return boolValue(false);
    if (this.literal("null")) return new JsonValue();
    return this.fail("unexpected character");
  }

  literal(word: string): bool {
    if (this.src.substr(this.pos, word.length) != word) return false;
    this.pos += word.length;
    return true;
  }

  object(depth: i32): JsonValue | null {
    const v = new JsonValue();
    v.kind = JsonKind.Object;
    this.pos++;
    this.skipSpace();
    if (this.accept(0x7d)) return v;
    while (true) {
      this.skipSpace();
      if (this.pos >= this.src.length || this.src.charCodeAt(this.pos) != 0x22) {
        return this.fail("expected a member name");
      }
      const key = this.string();
      if (key === null) return null;
      if (v.get(key) !== null) return this.fail('duplicate member "' + key + '"');
      this.skipSpace();
      if (!this.accept(0x3a)) return this.fail("expected ':'");
      const item = this.value(depth + 1);
      if (item === null) return null;
      v.keys.push(key);
      v.items.push(item);
      this.skipSpace();
      if (this.accept(0x2c)) continue;
      if (this.accept(0x7d)) return v;
      return this.expectedCommaOr("}");
    }
  }

  array(depth: i32): JsonValue | null {
    const v = new JsonValue();
    v.kind = JsonKind.Array;
    this.pos++;
    this.skipSpace();
    if (this.accept(0x5d)) return v;
    while (true) {
      const item = this.value(depth + 1);
      if (item === null) return null;
      v.items.push(item);
      this.skipSpace();
      if (this.accept(0x2c)) continue;
      if (this.accept(0x5d)) return v;
      return this.expectedCommaOr("]");
    }
  }

  expectedCommaOr(close: string): JsonValue | null {
    return this.fail("expected ',' or '" + close + "'");
  }

  /** Consumes `c` if it is next. */
  accept(c: i32): bool {
    if (this.pos < this.src.length && this.src.charCodeAt(this.pos) == c) {
      this.pos++;
      return true;
    }
    return false;
  }

  string(): string | null {
    this.pos++;
    let out = "";
    let start = this.pos;
    while (true) {
      if (this.pos >= this.src.length) {
        this.fail("unterminated string");
        return null;
      }
      const c = this.src.charCodeAt(this.pos);
      if (c == 0x22) {
        out += this.src.substring(start, this.pos);
        this.pos++;
        return out;
      }
      if (c < 0x20) {
        this.fail("control character in string");
        return null;
      }
      if (c != 0x5c) {
        this.pos++;
        continue;
      }
      out += this.src.substring(start, this.pos);
      this.pos++;
      if (this.pos >= this.src.length) {
        this.fail("unterminated string");
        return null;
      }
      const e = this.src.charCodeAt(this.pos);
      this.pos++;
      if (e == 0x22) out += '"';
      else if (e == 0x5c) out += "\\";
      else if (e == 0x2f) out += "/";
      else if (e == 0x62) out += "\b";
      else if (e == 0x66) out += "\f";
      else if (e == 0x6e) out += "\n";
      else if (e == 0x72) out += "\r";
      else if (e == 0x74) out += "\t";
      else if (e == 0x75) {
        const unit = this.hex4();
        if (unit < 0) {
          this.fail("bad \\u escape");
          return null;
        }
        out += charText(unit);
      } else {
        this.pos--;
        this.fail("bad escape");
        return null;
      }
      start = this.pos;
    }
  }

  hex4(): i32 {
    if (this.pos + 4 > this.src.length) return -1;
    let unit = 0;
    for (let i = 0; i < 4; i++) {
      const c = this.src.charCodeAt(this.pos + i);
      let d = -1;
      if (c >= 0x30 && c <= 0x39) d = c - 0x30;
      else if (c >= 0x61 && c <= 0x66) d = c - 0x61 + 10;
      else if (c >= 0x41 && c <= 0x46) d = c - 0x41 + 10;
      if (d < 0) return -1;
      unit = (unit << 4) | d;
    }
    this.pos += 4;
    return unit;
  }

  number(): JsonValue | null {
    const start = this.pos;
    this.accept(0x2d);
    if (this.accept(0x30)) {
      // a leading zero stands alone
    } else if (!this.digits()) {
      return this.fail("bad number");
    }
    if (this.accept(0x2e) && !this.digits()) return this.fail("bad number");
    if (this.accept(0x65) || this.accept(0x45)) {
      if (!this.accept(0x2b)) this.accept(0x2d);
      if (!this.digits()) return this.fail("bad number");
    }
    const v = new JsonValue();
    v.kind = JsonKind.Number;
    readInteger(this.src, start, this.pos, v);
    return v;
  }

  digits(): bool {
    const start = this.pos;
    while (this.pos < this.src.length) {
      const c = this.src.charCodeAt(this.pos);
      if (c < 0x30 || c > 0x39) break;
      this.pos++;
    }
    return this.pos > start;
  }
}

// The configuration only has integer numbers (weights); float parsing would double the
// module's size for nothing.
function readInteger(src: string, start: i32, end: i32, v: JsonValue): void {
  let negative = false;
  let i = start;
  if (src.charCodeAt(i) == 0x2d) {
    negative = true;
    i++;
  }
  let n: i64 = 0;
  for (; i < end; i++) {
    const c = src.charCodeAt(i);
    if (c < 0x30 || c > 0x39 || n > 100_000_000_000_000) return;
    n = n * 10 + (c - 0x30);
  }
  v.integer = negative ? -n : n;
  v.integral = true;
}

function boolValue(b: bool): JsonValue {
  const v = new JsonValue();
  v.kind = JsonKind.Bool;
  v.bool = b;
  return v;
}

export function parseJson(src: string): JsonParse {
  const parser = new JsonParser(src);
  const result = new JsonParse();
  const value = parser.value(0);
  if (value !== null) {
    parser.skipSpace();
    if (parser.pos < src.length) parser.fail("text after the document");
  }
  if (parser.error.length > 0) {
    result.error = parser.error;
  } else {
    result.value = value;
  }
  return result;
}
