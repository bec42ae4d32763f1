/**
 * How long Cognito waits for one call of a trigger, and how many calls it makes. The
 * developer guide: "When called, your Lambda function must respond within 5 seconds. If it
 * does not, Amazon Cognito retries the call. After 3 unsuccessful attempts, the function
 * times out. This 5-second timeout value cannot be changed." (awsdocs/amazon-cognito-developer-guide,
 * doc_source/cognito-user-identity-pools-working-with-aws-lambda-triggers.md).
 *
 * @internal
 */
export const COGNITO_TRIGGER_LIMITS = { timeoutMs: 5000, attempts: 3 } as const;

/** The `awsSdkVersion` Cognito reports when it cannot tell the caller's SDK (seen in real events). @internal */
export const UNKNOWN_SDK_VERSION = 'aws-sdk-unknown-unknown';

/** The `callerContext.clientId` of an admin call, which has no app client (seen in real events). @internal */
export const ADMIN_CLIENT_ID = 'CLIENT_ID_NOT_APPLICABLE';

/** What the Lambda Invoke endpoint answered. @internal */
export interface InvokeAnswer {
  readonly status: number;
  /** `X-Amz-Function-Error`: set when the function threw or timed out. */
  readonly functionError: string | undefined;
  /** `x-amzn-ErrorType`: set when Lambda itself refused the call. */
  readonly errorType: string | undefined;
  readonly body: string;
}

/** Sends one Invoke request; rejects when `signal` aborts it. @internal */
export type InvokeTransport = (url: string, body: string, signal: AbortSignal) => Promise<InvokeAnswer>;

/** Builds one of cognito-local's errors, which its server answers as `{ __type: code, message }`. @internal */
export type CognitoErrorFactory = (code: string, message: string) => Error;

/** @internal */
export interface TriggerInvokerOptions {
  readonly invokeEndpoint: string;
  /** Trigger name to function name; a trigger missing here is not configured. */
  readonly functions: Readonly<Record<string, string>>;
  /** The `region` every event carries. */
  readonly region: string;
  /** Cognito's wait for one call. */
  readonly timeoutMs: number;
  /** Calls before Cognito gives up on a trigger that times out or whose Lambda fails. */
  readonly attempts: number;
  readonly fail: CognitoErrorFactory;
  /** cognito-local's event builder: the request and response shape of each trigger source. */
  readonly shapeEvent: (event: unknown) => Record<string, unknown>;
  readonly transport?: InvokeTransport;
}

/**
 * Calls triggers the way Cognito does, in the shape of cognito-local's `LambdaService`
 * (`enabled`, `invoke`), so its targets call through it unchanged.
 *
 * @internal
 */
export interface TriggerInvoker {
  enabled(trigger: string): boolean;
  /** cognito-local's contract: takes its internal event, answers the function's `response`. */
  invoke(ctx: unknown, trigger: string, event: unknown): Promise<never>;
  /** Sends a ready Lambda event and answers the function's whole result. */
  call(trigger: string, event: Record<string, unknown>): Promise<Record<string, unknown>>;
}

/**
 * The Cognito side of a trigger call:
 * - every event carries `version: "1"`, the stack's region, an SDK version as Cognito reports
 *   it, and `CLIENT_ID_NOT_APPLICABLE` for admin calls, as real events do;
 * - a call that takes longer than `timeoutMs`, or that Lambda answers with a 5xx or a
 *   throttle, is made again, up to `attempts` calls, then the API call fails with
 *   `UnexpectedLambdaException` ("... invocation failed due to error Socket timeout while
 *   invoking Lambda function.", the message users report from AWS);
 * - a function error fails the API call with `UserLambdaValidationException`
 *   ("<Trigger> failed with error <message>."), without another call;
 * - a result that is not a JSON object fails it with `InvalidLambdaResponseException`.
 *
 * @internal
 */
export function createTriggerInvoker(options: TriggerInvokerOptions): TriggerInvoker {
  const transport = options.transport ?? fetchTransport;

  async function call(trigger: string, event: Record<string, unknown>): Promise<Record<string, unknown>> {
    const functionName = options.functions[trigger];
    if (!functionName) throw new Error(`${trigger} trigger not configured`);
    const url = `${options.invokeEndpoint}/2015-03-31/functions/${encodeURIComponent(functionName)}/invocations`;
    const body = JSON.stringify(event);
    let lastFailure = 'unknown';
    for (let attempt = 1; attempt <= options.attempts; attempt += 1) {
      const answer = await attemptOnce(transport, url, body, options.timeoutMs);
      if ('retryable' in answer) {
        lastFailure = answer.retryable;
        continue;
      }
      return readAnswer(trigger, answer, options.fail);
    }
    throw options.fail('UnexpectedLambdaException', `${trigger} invocation failed due to error ${lastFailure}.`);
  }

  return {
    enabled: (trigger) => Boolean(options.functions[trigger]),
    async invoke(_ctx, trigger, event) {
      const result = await call(trigger, toAwsEvent(options.shapeEvent(event), options.region));
      return result.response as never;
    },
    call,
  };
}

/** cognito-local's event with the fields AWS fills differently. */
function toAwsEvent(event: Record<string, unknown>, region: string): Record<string, unknown> {
  const caller = (event.callerContext ?? {}) as { clientId?: unknown };
  return {
    ...event,
    version: '1',
    region,
    callerContext: { awsSdkVersion: UNKNOWN_SDK_VERSION, clientId: caller.clientId ?? ADMIN_CLIENT_ID },
  };
}

type Attempt = InvokeAnswer | { retryable: string };

async function attemptOnce(transport: InvokeTransport, url: string, body: string, timeoutMs: number): Promise<Attempt> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const answer = await transport(url, body, controller.signal);
    if (answer.status >= 500 || answer.status === 429) return { retryable: answer.errorType ?? `HTTP ${answer.status}` };
    return answer;
  } catch (error) {
    if (controller.signal.aborted) return { retryable: 'Socket timeout while invoking Lambda function' };
    return { retryable: (error as { cause?: { code?: string } }).cause?.code ?? 'Error connecting to Lambda' };
  } finally {
    clearTimeout(timer);
  }
}

function readAnswer(trigger: string, answer: InvokeAnswer, fail: CognitoErrorFactory): Record<string, unknown> {
  if (answer.status >= 400) {
    throw fail('UnexpectedLambdaException', `${trigger} invocation failed due to error ${answer.errorType ?? `HTTP ${answer.status}`}.`);
  }
  if (answer.functionError) {
    const { errorMessage } = (parseJson(answer.body) ?? {}) as { errorMessage?: unknown };
    throw fail('UserLambdaValidationException', `${trigger} failed with error ${typeof errorMessage === 'string' ? errorMessage : answer.functionError}.`);
  }
  const result = parseJson(answer.body);
  if (result === null || typeof result !== 'object' || Array.isArray(result)) {
    throw fail('InvalidLambdaResponseException', 'Invalid lambda function output : Invalid JSON');
  }
  return result as Record<string, unknown>;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const fetchTransport: InvokeTransport = async (url, body, signal) => {
  const response = await fetch(url, {
    method: 'POST',
    body,
    signal,
    headers: { 'content-type': 'application/json', 'x-amz-invocation-type': 'RequestResponse' },
  });
  return {
    status: response.status,
    functionError: response.headers.get('x-amz-function-error') ?? undefined,
    errorType: response.headers.get('x-amzn-errortype') ?? undefined,
    body: await response.text(),
  };
};
