/**
 * `n` in decimal. The standard library's toString brings a formatter for every radix and
 * width into the module; log and error lines need only this.
 */
export function decimal(n: u32): string {
  let out = "";
  do {
    out = String.fromCharCode(0x30 + (n % 10), -1) + out;
    n /= 10;
  } while (n > 0);
  return out;
}
