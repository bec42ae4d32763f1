import { LOCAL_CREDENTIALS, type LocalEndpoints } from './endpoints.js';

/**
 * Environment variables that send SDK v3 clients built with `{}` to the local servers, for
 * code under test that builds its own clients.
 *
 * @example
 * ```ts
 * const restore = applyEnv(stack.env);
 * try { await runCodeUnderTest(); } finally { restore(); }
 * ```
 */
export type LocalEnv = {
  readonly AWS_ENDPOINT_URL_DYNAMODB: string;
  readonly AWS_ENDPOINT_URL_SES: string;
  readonly AWS_ENDPOINT_URL_SESV2: string;
  readonly AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: string;
  readonly AWS_ENDPOINT_URL_LAMBDA: string;
  readonly AWS_REGION: string;
  readonly AWS_ACCESS_KEY_ID: string;
  readonly AWS_SECRET_ACCESS_KEY: string;
};

/** @internal */
export function buildEnv(endpoints: LocalEndpoints, region: string): LocalEnv {
  return {
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_SES: endpoints.ses,
    AWS_ENDPOINT_URL_SESV2: endpoints.ses,
    AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: endpoints.cognito,
    AWS_ENDPOINT_URL_LAMBDA: endpoints.lambda,
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
  };
}

/**
 * Sets variables (such as a stack's `env`) on `target` and returns a function that puts
 * back what was there before, removing the ones that were unset. Calling it twice is safe.
 *
 * Variables it does not set still count: with `AWS_PROFILE` set the SDK ignores the dummy
 * keys (requests still go to the local endpoints, signed with the profile's credentials),
 * and `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true` makes it ignore the endpoint variables.
 * Unset those in tests.
 *
 * @param env The variables to set, such as `stack.env`.
 * @param target The environment to change; `process.env` when left out.
 * @example
 * ```ts
 * beforeAll(() => { restoreEnv = applyEnv(stack.env); });
 * afterAll(() => restoreEnv());
 * ```
 */
export function applyEnv(env: Readonly<Record<string, string>>, target: NodeJS.ProcessEnv = process.env): () => void {
  const previous = new Map<string, string | undefined>();
  for (const [name, value] of Object.entries(env)) {
    previous.set(name, target[name]);
    target[name] = value;
  }
  let restored = false;
  return () => {
    if (restored) return;
    restored = true;
    for (const [name, value] of previous) {
      if (value === undefined) delete target[name];
      else target[name] = value;
    }
  };
}
