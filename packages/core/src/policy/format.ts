/**
 * Numbers in reasons: integers as they are, others to 4 significant digits without trailing
 * zeros, i.e. `String(Number(n.toPrecision(4)))`, the text every audited reason has always had.
 * toPrecision is slow and a decision formats each reading several times, so positive numbers of
 * a usual size take a fast path that gives the same text: r = round(n · 10^k) to 4 digits, and
 * r / 10^k is the double nearest the decimal r·10^-k (IEEE division is correctly rounded), the
 * same double Number() parses from toPrecision's text. Where the product may sit on the other
 * side of a rounding boundary than n itself (a fraction near .5) or the exponent guess is off
 * (r outside 1000..9999), the exact toPrecision decides. That double's text (the shortest that
 * reads back as it) is the decimal r·10^-k itself without its trailing zeros, so it is written
 * from r's four digits (`decimal`) instead of converting the double, which costs several times
 * more; from 10^-6 on, where JavaScript stops writing numbers in exponent form.
 */
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);
const ZEROS = ['', '0', '00', '000', '0000', '00000', '000000'];

/** The text of r·10^-k for 1000 ≤ r ≤ 9999, 0 ≤ k ≤ 9, as String(r / 10^k) writes it. */
function decimal(r: number, k: number): string {
  while (k > 0 && r % 10 === 0) {
    r /= 10;
    k--;
  }
  const digits = String(r);
  if (k === 0) return digits;
  const whole = digits.length - k;
  return whole > 0
    ? `${digits.slice(0, whole)}.${digits.slice(whole)}`
    : `0.${ZEROS[-whole]}${digits}`;
}

/**
 * The last numbers written, round robin: a decision writes its readings once per condition that
 * reads them, and the policies' thresholds every time.
 */
const KEPT = 16;
const keptNumbers = new Float64Array(KEPT).fill(NaN);
const keptTexts: string[] = new Array<string>(KEPT).fill('');
let nextKept = 0;

export function formatNumber(n: number): string {
  if (Number.isInteger(n)) return String(n);
  for (let i = 0; i < KEPT; i++) if (keptNumbers[i] === n) return keptTexts[i]!;
  const text = formatted(n);
  keptNumbers[nextKept] = n;
  keptTexts[nextKept] = text;
  nextKept = (nextKept + 1) % KEPT;
  return text;
}

function formatted(n: number): string {
  if (n > 1e-18 && n < 1e4) {
    const k =
      n >= 1 ? (n >= 100 ? (n >= 1000 ? 0 : 1) : n >= 10 ? 2 : 3) : 3 - Math.floor(Math.log10(n));
    const scale = POW10[k];
    if (scale !== undefined) {
      const m = n * scale;
      const r = Math.round(m);
      if (r >= 1000 && r <= 9999 && Math.abs(m - Math.floor(m) - 0.5) > 1e-6)
        return k <= 9 ? decimal(r, k) : String(r / scale);
    }
  }
  return String(Number(n.toPrecision(4)));
}
