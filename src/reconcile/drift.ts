import { WelcomeAttribute } from '../constants.js';
import type { Profile } from '../types.js';

/*
 * Which of a row's fields drifted from what Cognito says, as a pure function of the mapped
 * profile and the row, so the decision can be tested without a table.
 */

/** Fields whose stored value is the library's business, never drift. */
// Built in a pure call so that a bundle without reconcile drops it.
const NOT_COMPARED: ReadonlySet<string> = /* @__PURE__ */ (() => new Set(['createdAt', 'updatedAt', ...Object.values(WelcomeAttribute)]))();

/**
 * The mapped fields whose stored value differs: what a repair writes. Fields on the row
 * that the mapper does not produce are the team's own and are left alone.
 *
 * @internal
 */
export function driftedFields(mapped: Profile, row: Profile, partitionKey: string): Profile {
  const drifted: Profile = {};
  for (const [field, value] of Object.entries(mapped)) {
    if (value === undefined || field === partitionKey || NOT_COMPARED.has(field)) continue;
    if (!sameValue(value, row[field])) drifted[field] = value;
  }
  return drifted;
}

/**
 * Equality as DynamoDB stores values: numbers by value, sets regardless of order, lists and
 * maps element by element. A mapped `Set` comes back from the table as a `Set` too.
 */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'number' || typeof b === 'number' || typeof a === 'bigint' || typeof b === 'bigint') {
    return (typeof a === 'number' || typeof a === 'bigint') && (typeof b === 'number' || typeof b === 'bigint') && String(a) === String(b);
  }
  if (a instanceof Set && b instanceof Set) return a.size === b.size && [...a].every((item) => b.has(item));
  if (ArrayBuffer.isView(a) && ArrayBuffer.isView(b)) return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, index) => sameValue(item, b[index]));
  if (isRecord(a) && isRecord(b)) {
    const keys = Object.keys(a).filter((key) => a[key] !== undefined);
    return keys.length === Object.keys(b).length && keys.every((key) => sameValue(a[key], b[key]));
  }
  return false;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Set) && !ArrayBuffer.isView(value);
}
