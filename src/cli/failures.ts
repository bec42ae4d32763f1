/**
 * What went wrong, for the operator at the terminal: the library's errors say which step
 * failed, the SDK error under them says why; this prints both, in the command line's own
 * words (its flags, not the API's option names), and the next step.
 */

/** The flag of each reconcile option the command line sets. @internal */
export const reconcileFlags: Readonly<Record<string, string>> = {
  userPoolId: '--user-pool-id',
  table: '--table',
  'table.name': '--table',
  'table.partitionKey': '--partition-key',
  concurrency: '--concurrency',
  orphans: '--orphans',
  cursor: '--cursor',
  listUsersPerSecond: '--list-users-per-second',
  maxIds: '--max-ids',
  dryRun: '--dry-run',
};

/**
 * A `ConfigurationError` (`Invalid option \`userPoolId\`: must be …`) as a flag's problem:
 * `--user-pool-id must be …`. An option with no flag keeps its name.
 *
 * @internal
 */
export function flagProblem(error: { option: string; message: string }, flags: Readonly<Record<string, string>>): string {
  const problem = error.message.replace(/^Invalid option `[^`]*`: /, '');
  const flag = Object.hasOwn(flags, error.option) ? flags[error.option] : undefined;
  return flag ? `${flag} ${problem}` : `option \`${error.option}\` ${problem}`;
}

/** Where the run was pointed, for the next step. @internal */
export interface RunTarget {
  userPoolId: string;
  table: string;
  region: string | undefined;
  orphans?: string | undefined;
}

interface Layer {
  name: string;
  message: string;
  code?: string;
  operation?: string;
  table?: string;
}

/** The error and its causes, outermost first. */
function layersOf(error: unknown): Layer[] {
  const layers: Layer[] = [];
  for (let at = error; at !== undefined && at !== null && layers.length < 8; at = (at as { cause?: unknown }).cause) {
    const { name, message, code, operation, table } = at as Record<string, unknown>;
    layers.push({
      name: typeof name === 'string' ? name : typeof at,
      message: typeof message === 'string' ? message : String(at),
      ...(typeof code === 'string' && { code }),
      ...(typeof operation === 'string' && { operation }),
      ...(typeof table === 'string' && { table }),
    });
    if (typeof at !== 'object') break;
  }
  return layers;
}

/**
 * The failure of a run in two parts: what failed (the library's step and the SDK's own
 * name and message: an operator's terminal, and these calls carry no user's data), and
 * what to do about it.
 *
 * @internal
 */
export function explainFailure(error: unknown, target: RunTarget): { cause: string; nextStep: string | undefined } {
  const layers = layersOf(error);
  const root = layers.at(-1)!;
  // The deepest of the library's own errors names the step: `Cognito ListUsers failed: …`.
  const step = [...layers].reverse().find((layer) => layer.operation !== undefined) ?? layers[0]!;
  const said = root !== step && root.message !== '' && root.message !== root.name ? `: ${root.message}` : '';
  const rootName = root.code && root.name === 'Error' ? root.code : root.name;
  const cause = root === step ? `${step.name}: ${step.message}` : `${step.message.replace(/: [^:]*$/, '')}: ${rootName}${said}`;
  return { cause, nextStep: nextStepFor(rootName, root.message, step, target) };
}

const REFUSED_CREDENTIALS = new Set([
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'ExpiredTokenException',
  'ExpiredToken',
  'InvalidClientTokenId',
  'IncompleteSignature',
]);
const UNREACHABLE = new Set(['TimeoutError', 'RequestTimeout', 'ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT']);
const THROTTLED = new Set(['TooManyRequestsException', 'ThrottlingException', 'ProvisionedThroughputExceededException', 'RequestLimitExceeded']);

function nextStepFor(name: string, message: string, step: Layer, target: RunTarget): string | undefined {
  const inRegion = target.region ? ` in ${target.region}` : '';
  const cognito = step.name === 'CognitoReadError';
  const where = cognito ? `the user pool "${target.userPoolId}"` : `the table "${step.table ?? target.table}"`;
  if (name === 'CredentialsProviderError') {
    return 'No AWS credentials: sign in (aws sso login, aws configure), set AWS_PROFILE, or pass --profile NAME.';
  }
  if (message === 'Region is missing') return 'No AWS region: pass --region, set AWS_REGION, or set region in your AWS config profile.';
  if (name === 'ResourceNotFoundException') {
    const fromPool = /^([a-z]{2}(?:-[a-z]+)+-\d+)_/.exec(target.userPoolId)?.[1];
    const mismatch = cognito && fromPool && target.region && fromPool !== target.region ? ` (the pool id says ${fromPool})` : '';
    return cognito
      ? `There is no user pool "${target.userPoolId}"${inRegion}${mismatch}: check --user-pool-id, and --region or --profile.`
      : `There is no table "${step.table ?? target.table}"${inRegion}: check --table, and --region or --profile (the table and the pool are read in one region).`;
  }
  if (name === 'AccessDeniedException' || name === 'NotAuthorizedException') {
    const needs = cognito
      ? 'cognito-idp:ListUsers on the pool'
      : `dynamodb:BatchGetItem, PutItem, UpdateItem and Scan${target.orphans === 'delete' ? ', DeleteItem' : ''} on the table`;
    return `These credentials may not read ${where}${inRegion}: the command needs ${needs}.`;
  }
  if (REFUSED_CREDENTIALS.has(name)) {
    return `AWS refused the credentials: refresh them (aws sso login, new keys) or pass another --profile.`;
  }
  if (UNREACHABLE.has(name)) {
    return `${cognito ? 'Cognito' : 'DynamoDB'}${inRegion} did not answer: check the network, and AWS_ENDPOINT_URL_* if you set one.`;
  }
  if (THROTTLED.has(name)) {
    return 'Still throttled after the retries: run again later with the --cursor below, or a lower --list-users-per-second or --concurrency.';
  }
  if (name === 'ERR_MODULE_NOT_FOUND' || name === 'MODULE_NOT_FOUND') return `A package is missing: ${message}`;
  return undefined;
}
