/**
 * The fields of an options object that were given, so that spreading it over defaults
 * keeps a default wherever the caller wrote `undefined`.
 *
 * @internal
 */
export function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}
