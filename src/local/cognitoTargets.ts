import { randomUUID } from 'node:crypto';
import type { CognitoLocalContext, CognitoLocalLib, CognitoLocalServices } from './cognitoLocalLib.js';
import { listUsersTarget } from './listUsers.js';
import type { CognitoErrorFactory } from './triggerInvoker.js';

type Route = (ctx: CognitoLocalContext, request: never) => Promise<unknown>;
type Router = (target: string) => Route;

/** The account id in the ARNs of the stack's pools (cognito-local writes `local`). */
const LOCAL_ACCOUNT_ID = '000000000000';

interface AuthRequest {
  UserPoolId?: string;
  ClientId?: string;
  AuthFlow?: string;
  AuthParameters?: Record<string, string>;
  ChallengeName?: string;
  ChallengeResponses?: Record<string, string>;
  Session?: string;
}

/**
 * cognito-local's router with the API calls the stack answers as AWS does:
 * - `CreateUserPool` names pools `<region>_<id>` with a region ARN, as AWS does, instead of
 *   `local_<id>`;
 * - `RespondToAuthChallenge` answering `NEW_PASSWORD_REQUIRED` issues tokens from
 *   `TokenGeneration_NewPasswordChallenge` (cognito-local says `_Authentication`);
 * - `AdminInitiateAuth` answers a user who must change a temporary password with the
 *   `NEW_PASSWORD_REQUIRED` challenge (cognito-local issues tokens), and
 *   `AdminRespondToAuthChallenge` (which cognito-local lacks) answers it;
 * - `ListUsers` pages and filters (see `listUsersTarget`).
 *
 * @internal
 */
export function createRouter(lib: CognitoLocalLib, services: CognitoLocalServices, region: string, fail: CognitoErrorFactory): Router {
  const base = lib.Router(services) as Router;
  const withServices = (changes: Partial<CognitoLocalServices>) => lib.Router({ ...services, ...changes }) as Router;

  const newPasswordServices = withServices({
    tokenGenerator: {
      generate: (ctx, user, groups, client, metadata) => services.tokenGenerator.generate(ctx, user, groups, client, metadata, 'NewPasswordChallenge'),
    },
  });
  const respondToAuthChallenge = (ctx: CognitoLocalContext, request: AuthRequest) => {
    const router = request.ChallengeName === 'NEW_PASSWORD_REQUIRED' ? newPasswordServices : base;
    return router('RespondToAuthChallenge')(ctx, request as never);
  };

  const overrides: Record<string, Route> = {
    CreateUserPool: withServices({ cognito: regionalPools(services.cognito, region) })('CreateUserPool'),
    RespondToAuthChallenge: respondToAuthChallenge as Route,
    AdminRespondToAuthChallenge: (async (ctx: CognitoLocalContext, request: AuthRequest) => {
      await checkClientOfPool(services, ctx, request, fail);
      return respondToAuthChallenge(ctx, request);
    }) as Route,
    AdminInitiateAuth: (async (ctx: CognitoLocalContext, request: AuthRequest) => {
      const challenge = await newPasswordChallenge(lib, services, ctx, request);
      return challenge ?? base('AdminInitiateAuth')(ctx, request as never);
    }) as Route,
    ListUsers: listUsersTarget(lib, services, fail) as Route,
  };
  return (target) => overrides[target] ?? base(target);
}

/** The cognito service, creating pools under the region's name. */
function regionalPools(cognito: CognitoLocalServices['cognito'], region: string): CognitoLocalServices['cognito'] {
  const regional = Object.create(cognito) as CognitoLocalServices['cognito'];
  regional.createUserPool = (ctx, pool) => {
    const id = `${region}_${String(pool.Id).replace(/^[^_]*_/, '')}`;
    return cognito.createUserPool(ctx, { ...pool, Id: id, Arn: `arn:aws:cognito-idp:${region}:${LOCAL_ACCOUNT_ID}:userpool/${id}` });
  };
  return regional;
}

async function checkClientOfPool(services: CognitoLocalServices, ctx: CognitoLocalContext, request: AuthRequest, fail: CognitoErrorFactory): Promise<void> {
  const client = request.ClientId ? await services.cognito.getAppClient(ctx, request.ClientId) : null;
  if (!client || client.UserPoolId !== request.UserPoolId) {
    throw fail('ResourceNotFoundException', `User pool client ${request.ClientId ?? ''} does not exist.`);
  }
}

/**
 * The challenge AWS answers `AdminInitiateAuth` with when the password is right and the user
 * was created by an admin and has not chosen a password yet; undefined for every other case,
 * which cognito-local's own target answers.
 */
async function newPasswordChallenge(lib: CognitoLocalLib, services: CognitoLocalServices, ctx: CognitoLocalContext, request: AuthRequest) {
  const username = request.AuthParameters?.USERNAME;
  if (request.AuthFlow !== 'ADMIN_USER_PASSWORD_AUTH' || !request.ClientId || !username) return undefined;
  const userPool = await services.cognito.getUserPoolForClientId(ctx, request.ClientId);
  const user = await userPool.getUserByUsername(ctx, username);
  if (!user || user.UserStatus !== 'FORCE_CHANGE_PASSWORD' || user.Password !== request.AuthParameters?.PASSWORD) return undefined;
  return {
    ChallengeName: 'NEW_PASSWORD_REQUIRED',
    ChallengeParameters: {
      USER_ID_FOR_SRP: user.Username,
      requiredAttributes: JSON.stringify([]),
      userAttributes: JSON.stringify(lib.attributesToRecord(user.Attributes)),
    },
    Session: randomUUID(),
  };
}
