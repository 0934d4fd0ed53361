/**
 * A deep copy of JSON data (objects, arrays, numbers, strings, booleans, null), which is what
 * a changelog-backed state holds: it is written with JSON.stringify and restored with
 * JSON.parse. Several times faster than structuredClone or a JSON round trip for such values
 * (a detector component's state of ~2.5 kB: about 8 µs against 58 and 34).
 */
export function copyJson<T>(value: T): T {
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    // A number, string or null is its own copy: no call for each of the ~200 numbers of a
    // detector's scorer state (copied once per transaction for every component it touches).
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      out[i] = v !== null && typeof v === 'object' ? copyJson(v) : v;
    }
    return out as T;
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      const v = (value as Record<string, unknown>)[key];
      out[key] = v !== null && typeof v === 'object' ? copyJson(v) : v;
    }
    return out as T;
  }
  return value;
}
