import { WelcomeDelivery } from './constants.js';
import { ConfigurationError } from './errors.js';
import { defaultProfile } from './mapping.js';
import { isProfileMapper, type ProfileMapper } from './store/profileItem.js';
import type { TableOption } from './store/table.js';
import type { AttributeMapper, Logger } from './types.js';

/*
 * Option checks and defaults that several factories share, written once so that every
 * factory refuses the same mistake with the same message, at cold start.
 */

/** Options every handler factory that writes the profile table takes. */
export interface ProfileTableOptions {
  /** The profile table: its name, or `{ name, partitionKey?, client? | clientConfig? }`. */
  table: TableOption;
  /**
   * Turns the user's attributes into profile fields. The library then sets the partition
   * key to the user's `sub` (and `createdAt` on a new row), whatever the mapper returned.
   * Give every handler and reconcile the same mapper, so they all write the same row.
   * @default defaultProfile
   */
  mapAttributes?: AttributeMapper;
  /**
   * Where the one log line per invocation goes: `console`, Powertools Logger, pino, or any
   * object with `info`, `warn` and `error`.
   * @default JSON lines on the console
   */
  logger?: Logger;
  /**
   * Adds the Cognito user name and error messages (which can quote addresses) to log lines.
   * @default false
   */
  logPersonalData?: boolean;
}

/** The welcome's delivery policy, an option of every entry point that runs a welcome. */
export interface WelcomeDeliveryOption {
  /**
   * What happens to a welcome whose outcome is unknown (a claim's lease ran out with no sent
   * marker: the mail may have gone out). `'at-most-once'` never sends it again and reconcile
   * reports it as `welcomes.unknown`; `'at-least-once'` sends it again, so a user may get two.
   * A welcome whose sender threw is sent again under either. Give every handler and
   * reconcile the same policy.
   * @default 'at-most-once'
   */
  welcomeDelivery?: WelcomeDelivery;
}

/** @internal */
export const WELCOME_LEASE_DEFAULT_MS = 60_000;

/**
 * The fields of an options object that were given, so that spreading it over defaults
 * keeps a default wherever the caller wrote `undefined`.
 *
 * @internal
 */
export function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/** Refuses anything but an options object. @internal */
export function checkOptionsObject(options: unknown, needs = ''): asserts options is object {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ConfigurationError('options', `must be an object${needs}`);
  }
}

/**
 * The `mapAttributes` option as a mapper, or the default mapping. A bare function is made a
 * mapper by `wrapBare` where the handler takes one (all do but the one of
 * `cognito-profile-sync/post-confirmation`, which refuses it, naming the ways to make a mapper).
 *
 * @internal
 */
export function checkMapper(mapper: unknown, wrapBare?: (mapper: AttributeMapper) => ProfileMapper): ProfileMapper {
  if (mapper === undefined) return defaultProfile;
  if (isProfileMapper(mapper)) return mapper;
  if (typeof mapper !== 'function') {
    throw new ConfigurationError('mapAttributes', 'must be a function (attributes, context) => profile');
  }
  if (wrapBare !== undefined) return wrapBare(mapper as AttributeMapper);
  throw new ConfigurationError(
    'mapAttributes',
    'must be a mapper: profileMapper(fn) or a helper of cognito-profile-sync/mapping (this entry point takes no bare function)',
  );
}

/**
 * The `welcomeLeaseMs` option, or its default. With a welcome, the lease must outlast the
 * longest a send may run (`sendBudget`, the option that sets it): a lease that ends while
 * its delivery is still sending would let another delivery send too.
 *
 * @internal
 */
export function checkWelcomeLease(lease: unknown, sendBudget?: { readonly option: string; readonly ms: number }): number {
  if (lease !== undefined && (typeof lease !== 'number' || !Number.isFinite(lease) || lease < 1000)) {
    throw new ConfigurationError('welcomeLeaseMs', 'must be at least 1000 ms, longer than any send can take');
  }
  const leaseMs = lease ?? WELCOME_LEASE_DEFAULT_MS;
  if (sendBudget !== undefined && !(leaseMs > sendBudget.ms)) {
    const is = lease === undefined ? `the default, ${leaseMs}` : String(leaseMs);
    throw new ConfigurationError(
      'welcomeLeaseMs',
      `must exceed ${sendBudget.option} (${sendBudget.ms} ms), the longest a send may run; it is ${is}`,
    );
  }
  return leaseMs;
}

/** The `welcomeDelivery` option, or its default. @internal */
export function checkWelcomeDelivery(delivery: unknown): WelcomeDelivery {
  return checkChoice<WelcomeDelivery>(
    delivery,
    'welcomeDelivery',
    [WelcomeDelivery.AtMostOnce, WelcomeDelivery.AtLeastOnce],
    WelcomeDelivery.AtMostOnce,
  );
}

/** A list of trigger source names, as a set. @internal */
export function checkSourceList(sources: unknown, option: string): ReadonlySet<string> {
  if (!Array.isArray(sources) || sources.some((source) => typeof source !== 'string')) {
    throw new ConfigurationError(option, 'must be an array of trigger source names');
  }
  return new Set(sources as string[]);
}

/** One of a fixed set of strings, or the default. @internal */
export function checkChoice<T extends string>(value: unknown, option: string, choices: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!choices.includes(value as T)) {
    const listed = choices.map((choice) => `'${choice}'`);
    throw new ConfigurationError(option, `must be ${listed.slice(0, -1).join(', ')} or ${listed.at(-1)}`);
  }
  return value as T;
}
