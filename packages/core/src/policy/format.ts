/**
 * Numbers in reasons: integers as they are, others to 4 significant digits without trailing
 * zeros, i.e. `String(Number(n.toPrecision(4)))`, the text every audited reason has always had.
 * toPrecision is slow and a decision formats each reading several times, so positive numbers of
 * a usual size take a fast path that gives the same text: r = round(n · 10^k) to 4 digits, and
 * r / 10^k is the double nearest the decimal r·10^-k (IEEE division is correctly rounded), the
 * same double Number() parses from toPrecision's text. Where the product may sit on the other
 * side of a rounding boundary than n itself (a fraction near .5) or the exponent guess is off
 * (r outside 1000..9999), the exact toPrecision decides.
 */
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

export function formatNumber(n: number): string {
  if (Number.isInteger(n)) return String(n);
  if (n > 1e-18 && n < 1e4) {
    const k = 3 - Math.floor(Math.log10(n));
    const scale = POW10[k];
    if (scale !== undefined) {
      const m = n * scale;
      const r = Math.round(m);
      if (r >= 1000 && r <= 9999 && Math.abs(m - Math.floor(m) - 0.5) > 1e-6)
        return String(r / scale);
    }
  }
  return String(Number(n.toPrecision(4)));
}
