import type { CognitoLocalUser } from './cognitoLocalLib.js';

type Field = (user: CognitoLocalUser) => string | undefined;

const attribute =
  (name: string): Field =>
  (user) =>
    user.Attributes?.find((candidate) => candidate.Name === name)?.Value;

/**
 * The attributes `ListUsers` can filter on (API reference, `Filter`): standard attributes
 * only, custom ones are not searchable. `cognito:user_status` compares without case.
 */
const SEARCHABLE: Readonly<Record<string, { field: Field; ignoreCase?: boolean }>> = {
  username: { field: (user) => user.Username },
  email: { field: attribute('email') },
  phone_number: { field: attribute('phone_number') },
  name: { field: attribute('name') },
  given_name: { field: attribute('given_name') },
  family_name: { field: attribute('family_name') },
  preferred_username: { field: attribute('preferred_username') },
  'cognito:user_status': { field: (user) => user.UserStatus, ignoreCase: true },
  status: { field: (user) => (user.Enabled === false ? 'Disabled' : 'Enabled') },
  sub: { field: attribute('sub') },
};

// `AttributeName Filter-Type "AttributeValue"`, where quotes and backslashes in the value are
// escaped with a backslash.
const FILTER = /^\s*([A-Za-z_:]+)\s*(\^=|=)\s*"((?:\\.|[^"\\])*)"\s*$/;

/** Why a filter was refused, in the message cognito-local (and, for parsing, AWS) gives. @internal */
export class FilterError extends Error {}

/**
 * A predicate for a `ListUsers` filter: `=` for an exact match, `^=` for a prefix; an empty
 * filter matches every user.
 *
 * @internal
 */
export function parseUserFilter(filter: string | undefined): (user: CognitoLocalUser) => boolean {
  if (filter === undefined || filter.trim() === '') return () => true;
  const match = FILTER.exec(filter);
  if (!match) throw new FilterError('Error while parsing filter');
  const [, name = '', operator, escaped = ''] = match;
  const searchable = SEARCHABLE[name];
  if (!searchable) throw new FilterError(`Invalid search attribute: ${name}`);
  const normalise = (value: string) => (searchable.ignoreCase ? value.toLowerCase() : value);
  const wanted = normalise(escaped.replace(/\\(.)/g, '$1'));
  return (user) => {
    const value = searchable.field(user);
    if (value === undefined) return false;
    return operator === '=' ? normalise(value) === wanted : normalise(value).startsWith(wanted);
  };
}
