import { ListUsersCommand, type CognitoIdentityProviderClient, type ListUsersCommandInput, type UserType } from '@aws-sdk/client-cognito-identity-provider';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { randomUUID } from 'node:crypto';

/*
 * A Cognito pool behind a mocked client that answers `ListUsers` as Cognito does, which
 * cognito-local does not: `Filter: sub = "…"` (a look-up), `Filter: sub ^= "…"` (a slice or
 * partition of the pool), `Limit` (at most 60) and `PaginationToken`. Used with a real
 * dynalite for the table.
 */

export const subOf = (user: UserType): string => user.Attributes!.find((a) => a.Name === 'sub')!.Value!;

/** A confirmed user; `prefix` fixes the start of its `sub` (hex digits). */
export function makeUser(prefix = ''): UserType {
  return {
    Username: randomUUID(),
    UserStatus: 'CONFIRMED',
    Enabled: true,
    UserCreateDate: new Date('2026-01-01T00:00:00Z'),
    Attributes: [{ Name: 'sub', Value: prefix + randomUUID().slice(prefix.length) }],
  };
}

/** A `sub` no user has, starting with `prefix`. */
export const strangerSub = (prefix = ''): string => prefix + randomUUID().slice(prefix.length);

export interface PagedPool {
  /** The pool's users; push to add one. */
  readonly users: UserType[];
  /** `sub`s the listing misses (created after their stream was read, say); look-ups find them. */
  readonly unlisted: Set<string>;
  /** Every call's input, in order. */
  calls(): ListUsersCommandInput[];
  /** The `sub`s looked up (`Filter: sub = "…"`), in order. */
  lookups(): string[];
  /** The prefixes listed (`Filter: sub ^= "…"`), first pages only. */
  listed(): string[];
}

export function servePagedPool(
  cognito: AwsClientStub<CognitoIdentityProviderClient>,
  users: UserType[],
  failFor?: (input: ListUsersCommandInput) => Error | undefined,
  /** Each answer takes this long, as a real call would. */
  latencyMs = 0,
): PagedPool {
  const unlisted = new Set<string>();
  cognito.on(ListUsersCommand).callsFake(async (input: ListUsersCommandInput) => {
    if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
    const failure = failFor?.(input);
    if (failure) throw failure;
    if ((input.Limit ?? 60) > 60) throw Object.assign(new Error('Limit'), { name: 'InvalidParameterException' });
    const exact = /^sub = "([0-9a-f-]+)"$/.exec(input.Filter ?? '')?.[1];
    if (exact !== undefined) return { Users: users.filter((u) => subOf(u) === exact) };
    const prefix = /^sub \^= "([0-9a-f]*)"$/.exec(input.Filter ?? '')?.[1];
    if (input.Filter !== undefined && prefix === undefined) throw new Error(`unexpected filter ${input.Filter}`);
    const matching = users.filter((u) => subOf(u).startsWith(prefix ?? '') && !unlisted.has(subOf(u))).sort((a, b) => subOf(a).localeCompare(subOf(b)));
    const [tokenPrefix, offsetText] = (input.PaginationToken ?? `${prefix ?? ''}:0`).split(':');
    if (tokenPrefix !== (prefix ?? '')) throw Object.assign(new Error('token of another filter'), { name: 'InvalidParameterException' });
    const offset = Number(offsetText);
    const limit = input.Limit ?? 60;
    const next = offset + limit < matching.length ? `${prefix ?? ''}:${offset + limit}` : undefined;
    return { Users: matching.slice(offset, offset + limit), ...(next && { PaginationToken: next }) };
  });
  const calls = () => cognito.commandCalls(ListUsersCommand).map((call) => call.args[0].input);
  return {
    users,
    unlisted,
    calls,
    lookups: () => calls().flatMap((input) => /^sub = "(.*)"$/.exec(input.Filter ?? '')?.[1] ?? []),
    listed: () => calls().flatMap((input) => (input.PaginationToken === undefined ? (/^sub \^= "(.*)"$/.exec(input.Filter ?? '')?.[1] ?? []) : [])),
  };
}
