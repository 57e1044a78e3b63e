/**
 * `text` as UTF-8, as the host reads names and messages: the module's one call of
 * String.UTF8.encode, with every argument given, so no wrapper for default arguments is built.
 */
export function utf8(text: string): ArrayBuffer {
  return String.UTF8.encode(text, false, String.UTF8.ErrorMode.WTF8);
}
