import type {
  CognitoIdentityProviderClient,
  CognitoIdentityProviderClientConfig,
  UserType,
} from '@aws-sdk/client-cognito-identity-provider';
import { CognitoReadError, ConfigurationError } from './errors.js';
import type { SdkClient, SdkClientConfig } from './sdkClient.js';
import type { UserAttributes } from './types.js';

type CognitoModule = typeof import('@aws-sdk/client-cognito-identity-provider');

/** A Cognito client of yours, or the config for the one the library builds (not both). */
export type CognitoClientOption =
  | {
      /** A `CognitoIdentityProviderClient` of yours; the library never changes its configuration. */
      cognitoClient: SdkClient;
      cognitoClientConfig?: never;
    }
  | {
      cognitoClient?: never;
      /**
       * Config for the `CognitoIdentityProviderClient` the library builds on first use.
       * @default request timeouts of a few seconds, 3 attempts
       */
      cognitoClientConfig?: SdkClientConfig;
    };

/** A user as Cognito lists it. @internal */
export interface CognitoUser {
  readonly username: string;
  readonly sub: string | undefined;
  readonly attributes: UserAttributes;
  readonly enabled: boolean | undefined;
  readonly status: string | undefined;
  /** When the user was created in the pool. */
  readonly createdAt: Date | undefined;
  /**
   * When Cognito last changed the user (`UserLastModifiedDate`, to the millisecond): how
   * fresh this state is, which orders the admin-change handler's writes.
   */
  readonly lastModifiedAt?: Date | undefined;
}

/** One page of `ListUsers`. @internal */
export interface UserPage {
  readonly users: readonly CognitoUser[];
  /** The token of the next page; `undefined` after the last. */
  readonly next: string | undefined;
}

/** @internal */
export const defaultCognitoClientConfig: CognitoIdentityProviderClientConfig = {
  maxAttempts: 3,
  requestHandler: { connectionTimeout: 1000, requestTimeout: 3000, throwOnRequestTimeout: true },
};

/** @internal */
export interface CognitoUsers {
  /** The user whose `sub` this is, or `undefined` when the pool has no such user. */
  findBySub(userPoolId: string, sub: string, signal?: AbortSignal): Promise<CognitoUser | undefined>;
  /**
   * One page of the pool's users, from `token` (the first page without one); with `subPrefix`,
   * only users whose `sub` starts with it.
   */
  listPage(userPoolId: string, token: string | undefined, signal?: AbortSignal, subPrefix?: string): Promise<UserPage>;
}

/** The most users `ListUsers` returns in one page. */
export const LIST_USERS_PAGE_SIZE = 60;

/**
 * A `sub` is a UUID; anything with quotes or spaces would change the meaning of the
 * ListUsers filter it is put into.
 */
const SAFE_SUB = /^[A-Za-z0-9-]{1,128}$/;

const USER_POOL_ID = /^[\w-]+_[0-9A-Za-z]+$/;

/** The `userPoolId` option, checked. @internal */
export function checkUserPoolId(value: unknown): string {
  if (typeof value !== 'string' || !USER_POOL_ID.test(value)) {
    throw new ConfigurationError('userPoolId', 'must be a user pool id such as eu-west-1_AbC123');
  }
  return value;
}

/** @internal */
export function toCognitoUser(user: UserType): CognitoUser {
  const attributes: Record<string, string> = {};
  for (const { Name, Value } of user.Attributes ?? []) if (Name !== undefined && Value !== undefined) attributes[Name] = Value;
  return {
    username: user.Username ?? '',
    sub: attributes.sub,
    attributes,
    enabled: user.Enabled,
    status: user.UserStatus,
    createdAt: user.UserCreateDate,
    lastModifiedAt: user.UserLastModifiedDate,
  };
}

/**
 * Cognito user look-ups. The SDK module is imported on first use, so handlers that never
 * read Cognito load none of its code.
 *
 * @internal
 */
export function cognitoUsers(options: Partial<CognitoClientOption>): CognitoUsers {
  if (options.cognitoClient !== undefined && options.cognitoClientConfig !== undefined) {
    throw new ConfigurationError('cognitoClient', 'give either cognitoClient or cognitoClientConfig, not both');
  }
  let loaded: Promise<{ client: CognitoIdentityProviderClient; sdk: CognitoModule }> | undefined;
  const load = () =>
    (loaded ??= import('@aws-sdk/client-cognito-identity-provider').then(
      (sdk) => ({
        sdk,
        client:
          // The options are typed by shape (the Cognito client is an optional peer); what
          // they hold is the SDK's own client and configuration.
          (options.cognitoClient as CognitoIdentityProviderClient | undefined) ??
          new sdk.CognitoIdentityProviderClient({
            ...defaultCognitoClientConfig,
            ...(options.cognitoClientConfig as CognitoIdentityProviderClientConfig | undefined),
          }),
      }),
      (cause: unknown) => {
        loaded = undefined;
        throw new CognitoReadError('import', cause);
      },
    ));

  return {
    async findBySub(userPoolId, sub, signal) {
      if (!SAFE_SUB.test(sub)) return undefined;
      const { client, sdk } = await load();
      try {
        const { Users = [] } = await client.send(
          new sdk.ListUsersCommand({ UserPoolId: userPoolId, Filter: `sub = "${sub}"`, Limit: 1 }),
          { abortSignal: signal },
        );
        // An emulator may ignore the filter; match the sub here rather than trust the first user.
        const user = Users.map(toCognitoUser).find((candidate) => candidate.sub === sub);
        return user;
      } catch (error) {
        throw new CognitoReadError('ListUsers', error);
      }
    },

    async listPage(userPoolId, token, signal, subPrefix) {
      if (subPrefix !== undefined && !SAFE_SUB.test(subPrefix)) return { users: [], next: undefined };
      const { client, sdk } = await load();
      try {
        const { Users = [], PaginationToken } = await client.send(
          new sdk.ListUsersCommand({
            UserPoolId: userPoolId,
            Limit: LIST_USERS_PAGE_SIZE,
            ...(subPrefix !== undefined && { Filter: `sub ^= "${subPrefix}"` }),
            ...(token !== undefined && { PaginationToken: token }),
          }),
          { abortSignal: signal },
        );
        let users = Users.map(toCognitoUser);
        // An emulator may ignore the filter: keep only the partition's own users, so that
        // every user is still worked on once.
        if (subPrefix !== undefined) users = users.filter((user) => user.sub?.startsWith(subPrefix));
        return { users, next: PaginationToken || undefined };
      } catch (error) {
        throw new CognitoReadError('ListUsers', error);
      }
    },
  };
}
