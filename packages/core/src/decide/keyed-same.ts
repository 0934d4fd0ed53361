/**
 * Whether a step changed a key: by identity where the core shares what it did not change
 * (incidents, in-flight commands, dispatches, levers, approvals), by value where pruning copies
 * (cooldowns, flap and effectiveness records, compared as the JSON they are written as). Only changed keys are written to the changelog.
 */
import type { ComponentSlice, PartitionPart } from './keyed-state.js';

function sameRecord(a: Readonly<Record<string, unknown>>, b: Readonly<Record<string, unknown>>) {
  let n = 0;
  for (const k in a) {
    if (a[k] !== b[k]) return false;
    n++;
  }
  for (const _ in b) n--;
  return n === 0;
}

/**
 * Whether two JSON values would serialise to the same text (keys in the same order), without
 * serialising them: records that pruning shares are equal by identity, and the walk stops at
 * the first difference.
 */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const keys = Object.keys(y);
  let i = 0;
  for (const k in x) {
    if (keys[i++] !== k || !sameJson(x[k], y[k])) return false;
  }
  return i === keys.length;
}

function sameList(a: readonly unknown[], b: readonly unknown[]) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function sameSlice(a: ComponentSlice, b: ComponentSlice): boolean {
  return (
    a.inFlight === b.inFlight &&
    sameRecord(a.incidents, b.incidents) &&
    sameRecord(a.cooldowns, b.cooldowns) &&
    sameJson(a.flaps, b.flaps) &&
    sameJson(a.effectiveness, b.effectiveness)
  );
}

export function samePart(a: PartitionPart, b: PartitionPart): boolean {
  return (
    a.storm.minute === b.storm.minute &&
    a.storm.hour === b.storm.hour &&
    sameList(a.dispatches, b.dispatches) &&
    sameRecord(a.approvals, b.approvals) &&
    sameRecord(a.control.windows, b.control.windows) &&
    sameRecord(a.control.pauses, b.control.pauses) &&
    sameRecord(a.control.acks, b.control.acks) &&
    sameRecord(a.control.overrides, b.control.overrides)
  );
}
