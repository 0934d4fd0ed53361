/**
 * The JSON text of a changelog key, the same text JSON.stringify writes, for less: a slice is
 * mostly incidents and effectiveness records the transaction did not change (closed incidents
 * wait out their retention; a record is replaced, never changed, when an attempt is added), so
 * each one's text is kept beside it (by identity, as long as the object lives) and a slice is
 * assembled from them. Incidents are changed only through editIncident, which copies them, and
 * effectiveness records are replaced: an object the store holds never changes once written.
 * Anything not shaped as a slice (the partition part, a value of another version) is
 * serialised as it is.
 */
import { SLICE_PREFIX, type ComponentSlice } from './keyed-state.js';
import type { PolicyRecord } from './over-time-state.js';
import type { IncidentLadder } from './state.js';

const texts = new WeakMap<IncidentLadder | PolicyRecord, string>();

function textOf(value: IncidentLadder | PolicyRecord): string {
  let text = texts.get(value);
  if (text === undefined) {
    text = JSON.stringify(value);
    texts.set(value, text);
  }
  return text;
}

const SLICE_FIELDS = ['cooldowns', 'inFlight', 'incidents', 'flaps', 'effectiveness'];

/** Whether the value has exactly a slice's fields, in the order JSON.stringify would write them. */
function isSlice(value: unknown): value is ComponentSlice {
  if (typeof value !== 'object' || value === null) return false;
  let i = 0;
  for (const k in value) if (SLICE_FIELDS[i++] !== k) return false;
  const s = value as ComponentSlice;
  const isRecord = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
  return (
    i === SLICE_FIELDS.length &&
    isRecord(s.cooldowns) &&
    (s.inFlight === null || isRecord(s.inFlight)) &&
    isRecord(s.incidents) &&
    isRecord(s.flaps) &&
    isRecord(s.effectiveness)
  );
}

function incidentsText(incidents: ComponentSlice['incidents']): string {
  let text = '';
  for (const id in incidents) {
    const inc = incidents[id];
    if (inc === undefined) continue;
    text += `${text === '' ? '' : ','}${JSON.stringify(id)}:${textOf(inc)}`;
  }
  return `{${text}}`;
}

function effectivenessText(byPolicy: ComponentSlice['effectiveness']): string {
  let text = '';
  for (const policy in byPolicy) {
    const byCause = byPolicy[policy];
    if (byCause === undefined) continue;
    let causes = '';
    for (const cause in byCause) {
      const record = byCause[cause];
      if (record === undefined) continue;
      causes += `${causes === '' ? '' : ','}${JSON.stringify(cause)}:${textOf(record)}`;
    }
    text += `${text === '' ? '' : ','}${JSON.stringify(policy)}:{${causes}}`;
  }
  return `{${text}}`;
}

/** The changelog text of one key of the evaluator's state: JSON.stringify(value), byte for byte. */
export function encodeEvaluatorKey(key: string, value: unknown): string {
  if (!key.startsWith(SLICE_PREFIX) || !isSlice(value)) return JSON.stringify(value);
  return (
    `{"cooldowns":${JSON.stringify(value.cooldowns)},"inFlight":${JSON.stringify(value.inFlight)},` +
    `"incidents":${incidentsText(value.incidents)},"flaps":${JSON.stringify(value.flaps)},` +
    `"effectiveness":${effectivenessText(value.effectiveness)}}`
  );
}
