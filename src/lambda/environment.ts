import { ConfigurationError, eraseFromTables, isConfigurationError, sesWelcomeEmail } from '../index.js';
import type { ClaimsOption, TableOption, UserDeletedHandler, WelcomeSender } from '../index.js';

/**
 * Reading the ready handlers' configuration from environment variables. Every check runs
 * when the module loads (at cold start) and names the variable at fault, never its value.
 */

/** The environment the ready handlers read: `process.env`, or a record in tests. */
export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * The variables the ready handlers read. The `ProfileSync` construct sets them; set them
 * yourself to deploy a ready handler another way (SAM, Terraform, the console).
 */
export const Variable = {
  /** The profile table's name or ARN. Required. */
  table: 'TABLE_NAME',
  /** The table's string partition key, holding the `sub`. Default `userId`. */
  partitionKey: 'PARTITION_KEY',
  /** The pool whose users to read (admin changes, reconcile). */
  userPoolId: 'USER_POOL_ID',
  /** The welcome's sender, verified in SES. Unset: no welcome. */
  welcomeFrom: 'WELCOME_FROM',
  /** The welcome's subject template (`{{field|fallback}}`). Required with a sender. */
  welcomeSubject: 'WELCOME_SUBJECT',
  /** The welcome's plain-text template. `WELCOME_TEXT`, `WELCOME_HTML` or both. */
  welcomeText: 'WELCOME_TEXT',
  /** The welcome's HTML template. */
  welcomeHtml: 'WELCOME_HTML',
  /** ID token claims as JSON: `{"claim":"profileField"}`. */
  claims: 'CLAIMS',
  /** Access token claims as JSON (V2 and V3 events). */
  accessTokenClaims: 'ACCESS_TOKEN_CLAIMS',
  /** `mark` or `delete`: what a user deletion does to the row. Default `mark`. */
  onDelete: 'ON_DELETE',
  /** `report`, `mark` or `delete`: what reconcile does with orphan rows. Default `report`. */
  orphans: 'ORPHANS',
  /** The slices a cycle of reconcile's orphan check starts with: 1, 2, 4 … 256. Default 1. */
  orphanSlices: 'ORPHAN_SLICES',
  /**
   * The tables to erase a deleted user's items from, as the JSON of `eraseFromTables`'
   * list: `[{"table":"orders","partitionKey":"userId","sortKey":"orderId"}]`. Unset: no erasure.
   */
  eraseTables: 'ERASE_TABLES',
} as const;

/** A variable's value; an empty string counts as unset (CloudFormation writes those). */
function read(env: Environment, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

function required(env: Environment, name: string, what: string): string {
  const value = read(env, name);
  if (value === undefined) throw new ConfigurationError(name, `the environment variable is not set: ${what}`);
  return value;
}

/** @internal */
export function oneOf<T extends string>(env: Environment, name: string, allowed: readonly T[]): T | undefined {
  const value = read(env, name);
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigurationError(name, `must be ${allowed.map((choice) => `'${choice}'`).join(' or ')}`);
  }
  return value as T;
}

/** A whole number, or `undefined` when unset; the handler checks its range. @internal */
export function wholeNumberFrom(env: Environment, name: string): number | undefined {
  const value = read(env, name);
  if (value === undefined) return undefined;
  if (!/^\d{1,9}$/.test(value)) throw new ConfigurationError(name, 'must be a whole number');
  return Number(value);
}

/** `TABLE_NAME` and `PARTITION_KEY` as the handlers' `table` option. @internal */
export function tableFrom(env: Environment): TableOption {
  const name = required(env, Variable.table, 'the profile table name or ARN');
  const partitionKey = read(env, Variable.partitionKey);
  return partitionKey === undefined ? name : { name, partitionKey };
}

/** @internal */
export function userPoolIdFrom(env: Environment): string {
  return required(env, Variable.userPoolId, 'the user pool id, such as eu-west-1_AbC123');
}

/**
 * The SES welcome when `WELCOME_FROM` is set, else none (and then no welcome variable may
 * be set: a subject without a sender is a half-made configuration).
 *
 * @internal
 */
export function welcomeFrom(env: Environment): { onWelcome?: WelcomeSender } {
  const source = read(env, Variable.welcomeFrom);
  const subject = read(env, Variable.welcomeSubject);
  const text = read(env, Variable.welcomeText);
  const html = read(env, Variable.welcomeHtml);
  if (source === undefined) {
    const stray = [
      [Variable.welcomeSubject, subject],
      [Variable.welcomeText, text],
      [Variable.welcomeHtml, html],
    ].find(([, value]) => value !== undefined);
    if (stray) throw new ConfigurationError(Variable.welcomeFrom, `is not set but ${stray[0]} is: set the sender, or unset both`);
    return {};
  }
  if (subject === undefined) throw new ConfigurationError(Variable.welcomeSubject, 'the environment variable is not set: required with WELCOME_FROM');
  if (text === undefined && html === undefined) {
    throw new ConfigurationError(Variable.welcomeText, 'set WELCOME_TEXT, WELCOME_HTML or both with WELCOME_FROM');
  }
  return { onWelcome: sesWelcomeEmail({ source, subject, ...(text !== undefined && { text }), ...(html !== undefined && { html }) }) };
}

/** A claims variable: a JSON object of claim name to profile field name. @internal */
export function claimsFrom(env: Environment, name: string): ClaimsOption | undefined {
  const value = read(env, name);
  if (value === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new ConfigurationError(name, 'must be JSON: an object of claim name to profile field name');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigurationError(name, 'must be a JSON object of claim name to profile field name');
  }
  for (const [claim, field] of Object.entries(parsed)) {
    if (typeof field !== 'string' || field === '') {
      throw new ConfigurationError(`${name}.${claim}`, 'must be a profile field name (a non-empty string)');
    }
  }
  return parsed as Record<string, string>;
}

/**
 * `onUserDeleted` erasing from the tables `ERASE_TABLES` lists, when it is set.
 *
 * @internal
 */
export function erasureFrom(env: Environment): { onUserDeleted?: UserDeletedHandler } {
  const value = read(env, Variable.eraseTables);
  if (value === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new ConfigurationError(Variable.eraseTables, 'must be JSON: an array of { "table", "partitionKey", "sortKey"?, "index"? }');
  }
  try {
    return { onUserDeleted: eraseFromTables(parsed as never) };
  } catch (error) {
    if (!isConfigurationError(error) || !error.option.startsWith('tables')) throw error;
    throw new ConfigurationError(`${Variable.eraseTables}${error.option.slice('tables'.length)}`, error.message.replace(/^Invalid option `[^`]*`: /, ''));
  }
}

/**
 * The library's options each variable feeds. A factory checks its options and names the
 * option; here that becomes the variable the operator must fix.
 */
const VARIABLE_OF_OPTION: Readonly<Record<string, string>> = {
  table: Variable.table,
  'table.name': Variable.table,
  'table.partitionKey': Variable.partitionKey,
  userPoolId: Variable.userPoolId,
  source: Variable.welcomeFrom,
  subject: Variable.welcomeSubject,
  text: Variable.welcomeText,
  html: Variable.welcomeHtml,
  claims: Variable.claims,
  accessTokenClaims: Variable.accessTokenClaims,
  onDelete: Variable.onDelete,
  orphans: Variable.orphans,
  orphanSlices: Variable.orphanSlices,
};

/**
 * Runs a handler factory, turning the `ConfigurationError` it throws for an option into
 * one naming the environment variable that option came from.
 *
 * @internal
 */
export function fromEnvironment<T>(create: () => T): T {
  try {
    return create();
  } catch (error) {
    if (!isConfigurationError(error)) throw error;
    const [head, ...rest] = error.option.split('.');
    const variable = VARIABLE_OF_OPTION[error.option] ?? (head !== undefined && rest.length > 0 ? VARIABLE_OF_OPTION[head] : undefined);
    if (variable === undefined) throw error;
    const problem = error.message.replace(/^Invalid option `[^`]*`: /, '');
    const named = variable === VARIABLE_OF_OPTION[error.option] ? variable : `${variable}.${rest.join('.')}`;
    throw new ConfigurationError(named, problem);
  }
}
