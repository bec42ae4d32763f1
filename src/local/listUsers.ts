import type { CognitoLocalContext, CognitoLocalLib, CognitoLocalServices, CognitoLocalUser } from './cognitoLocalLib.js';
import type { CognitoErrorFactory } from './triggerInvoker.js';
import { FilterError, parseUserFilter } from './userFilter.js';

/** The most users one `ListUsers` page holds (API reference: `Limit`, 0 to 60). @internal */
export const LIST_USERS_MAX_LIMIT = 60;

interface ListUsersRequest {
  UserPoolId?: string;
  Limit?: number;
  PaginationToken?: string;
  Filter?: string;
}

/**
 * `ListUsers` as AWS pages it, in place of cognito-local's, which returns every user at once:
 * at most `Limit` users (60 by default and at most), a `PaginationToken` while more remain,
 * and `Filter` applied before the page is cut. Users come in user-name order, and a token
 * names the last user of its page, so users added while a client pages do not shift pages.
 *
 * @internal
 */
export function listUsersTarget(lib: CognitoLocalLib, services: CognitoLocalServices, fail: CognitoErrorFactory) {
  return async (ctx: CognitoLocalContext, request: ListUsersRequest) => {
    const limit = pageSize(request.Limit, fail);
    const after = request.PaginationToken === undefined ? undefined : decodeToken(request.PaginationToken, fail);
    const matches = filterOf(request.Filter, fail);
    const userPool = await services.cognito.getUserPool(ctx, String(request.UserPoolId));
    const users = (await userPool.listUsers(ctx))
      .filter(matches)
      .sort((a, b) => (a.Username < b.Username ? -1 : a.Username > b.Username ? 1 : 0))
      .filter((user) => after === undefined || user.Username > after);
    const page = users.slice(0, limit);
    const last = page.at(-1);
    return {
      Users: page.map(lib.userToResponseObject),
      ...(users.length > limit && last && { PaginationToken: encodeToken(last.Username) }),
    };
  };
}

function filterOf(filter: string | undefined, fail: CognitoErrorFactory): (user: CognitoLocalUser) => boolean {
  try {
    return parseUserFilter(filter);
  } catch (error) {
    if (error instanceof FilterError) throw fail('InvalidParameterException', error.message);
    throw error;
  }
}

function pageSize(limit: number | undefined, fail: CognitoErrorFactory): number {
  if (limit === undefined || limit === 0) return LIST_USERS_MAX_LIMIT;
  if (!Number.isInteger(limit) || limit < 0) {
    throw fail('InvalidParameterException', `1 validation error detected: Value '${limit}' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 0`);
  }
  if (limit > LIST_USERS_MAX_LIMIT) {
    throw fail(
      'InvalidParameterException',
      `1 validation error detected: Value '${limit}' at 'limit' failed to satisfy constraint: Member must have value less than or equal to ${LIST_USERS_MAX_LIMIT}`,
    );
  }
  return limit;
}

const encodeToken = (username: string): string => Buffer.from(JSON.stringify({ after: username }), 'utf8').toString('base64url');

function decodeToken(token: string, fail: CognitoErrorFactory): string {
  try {
    const { after } = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { after?: unknown };
    if (typeof after === 'string') return after;
  } catch {
    // falls through to the error below
  }
  throw fail('InvalidParameterException', 'Invalid pagination token');
}
