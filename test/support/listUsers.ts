import { ListUsersCommand, type CognitoIdentityProviderClient, type UserType } from '@aws-sdk/client-cognito-identity-provider';
import type { AwsClientStub } from 'aws-sdk-client-mock';

/**
 * Answers `ListUsers` on a mocked Cognito client with these users, honouring the filters
 * reconcile sends as Cognito does (`sub = "…"` for a look-up, `sub ^= "…"` for a partition
 * of the pool), in one page.
 */
export function serveUsers(cognito: AwsClientStub<CognitoIdentityProviderClient>, users: readonly UserType[]): void {
  const subOf = (user: UserType) => user.Attributes?.find((attribute) => attribute.Name === 'sub')?.Value ?? '';
  cognito.on(ListUsersCommand).callsFake((input: { Filter?: string }) => {
    const filter = input.Filter ?? '';
    const exact = /^sub = "(.*)"$/.exec(filter)?.[1];
    const prefix = /^sub \^= "(.*)"$/.exec(filter)?.[1];
    if (filter !== '' && exact === undefined && prefix === undefined) throw new Error(`unexpected filter ${filter}`);
    return { Users: users.filter((user) => (exact === undefined ? subOf(user).startsWith(prefix ?? '') : subOf(user) === exact)) };
  });
}
