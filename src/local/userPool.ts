import type { CognitoIdentityProviderClient, SchemaAttributeType } from '@aws-sdk/client-cognito-identity-provider';
import { ConfigurationError } from '../errors.js';
import { LocalStackError } from './errors.js';
import type { Sdk } from './sdk.js';

/**
 * A custom attribute of the local user pool, named without the `custom:` prefix (as in
 * `CreateUserPool`); users carry it as `custom:<name>`.
 *
 * @example
 * ```ts
 * { name: 'plan' }
 * { name: 'credits', type: 'Number' }
 * ```
 */
export interface LocalCustomAttribute {
  readonly name: string;
  /** @default 'String' */
  readonly type?: 'String' | 'Number';
  /** @default true */
  readonly mutable?: boolean;
}

/**
 * How the local user pool is made.
 *
 * @example
 * ```ts
 * userPool: { customAttributes: ['firstName', 'lastName', { name: 'credits', type: 'Number' }] }
 * ```
 */
export interface LocalUserPoolOptions {
  /** @default 'cognito-profile-sync-local' */
  readonly name?: string;
  /**
   * Attributes users sign in with instead of a user name. With `email`, a user's
   * `Username` is their `sub`, as in AWS.
   * @default ['email']
   */
  readonly usernameAttributes?: readonly ('email' | 'phone_number')[];
  /** @default ['email'] */
  readonly autoVerifiedAttributes?: readonly ('email' | 'phone_number')[];
  /**
   * Custom attributes of the pool's schema, by name or in full.
   * @default ['firstName', 'lastName', 'plan']
   */
  readonly customAttributes?: readonly (string | LocalCustomAttribute)[];
}

/** The pool options with defaults applied. @internal */
export type ResolvedUserPoolOptions = Required<LocalUserPoolOptions>;

const defaults: ResolvedUserPoolOptions = {
  name: 'cognito-profile-sync-local',
  usernameAttributes: ['email'],
  autoVerifiedAttributes: ['email'],
  customAttributes: ['firstName', 'lastName', 'plan'],
};

const CUSTOM_NAME = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,20}$/u;
const SIGN_IN_ATTRIBUTES: readonly string[] = ['email', 'phone_number'];

/** Applies defaults and checks the pool options. @internal */
export function resolveUserPoolOptions(options: LocalUserPoolOptions = {}): ResolvedUserPoolOptions {
  const resolved = { ...defaults, ...definedFields(options) };
  if (typeof resolved.name !== 'string' || resolved.name.length === 0) {
    throw new ConfigurationError('userPool.name', 'must be a non-empty string');
  }
  for (const key of ['usernameAttributes', 'autoVerifiedAttributes'] as const) {
    const list = resolved[key];
    if (!Array.isArray(list) || list.some((name) => !SIGN_IN_ATTRIBUTES.includes(name))) {
      throw new ConfigurationError(`userPool.${key}`, "must be a list of 'email' and 'phone_number'");
    }
  }
  resolved.customAttributes.forEach((attribute, index) => {
    const name = typeof attribute === 'string' ? attribute : attribute?.name;
    if (typeof name !== 'string' || !CUSTOM_NAME.test(name) || name.startsWith('custom:')) {
      throw new ConfigurationError(`userPool.customAttributes[${index}]`, 'must be a name of 1-20 characters, without the custom: prefix');
    }
  });
  return resolved;
}

/** Creates the pool and an app client without a secret that allows password sign-in. @internal */
export async function createUserPool(
  sdk: Sdk,
  client: CognitoIdentityProviderClient,
  options: ResolvedUserPoolOptions,
): Promise<{ userPoolId: string; clientId: string }> {
  const { UserPool } = await client.send(
    new sdk.cognito.CreateUserPoolCommand({
      PoolName: options.name,
      UsernameAttributes: [...options.usernameAttributes],
      AutoVerifiedAttributes: [...options.autoVerifiedAttributes],
      Schema: options.customAttributes.map(toSchemaAttribute),
      // No LambdaConfig: cognito-local ignores a pool's own triggers and calls the ones in
      // its server config (TriggerFunctions) instead.
    }),
  );
  const userPoolId = UserPool?.Id;
  if (!userPoolId) throw new LocalStackError('CreateUserPool answered without a pool id');
  const { UserPoolClient } = await client.send(
    new sdk.cognito.CreateUserPoolClientCommand({
      UserPoolId: userPoolId,
      ClientName: `${options.name}-client`,
      GenerateSecret: false,
      ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    }),
  );
  const clientId = UserPoolClient?.ClientId;
  if (!clientId) throw new LocalStackError('CreateUserPoolClient answered without a client id');
  return { userPoolId, clientId };
}

function toSchemaAttribute(attribute: string | LocalCustomAttribute): SchemaAttributeType {
  const { name, type = 'String', mutable = true } = typeof attribute === 'string' ? { name: attribute } : attribute;
  return { Name: name, AttributeDataType: type, Mutable: mutable };
}

function definedFields<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}
