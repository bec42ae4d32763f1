import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { COGNITO_TRIGGER_LIMITS, type InvokeAnswer, type InvokeTransport, createTriggerInvoker } from '../../src/local/triggerInvoker.js';

/*
 * The Cognito side of a trigger call, with the Invoke endpoint replaced by a transport
 * under the test's control and fake timers: the default limits (5 s a call, 3 calls) are
 * asserted here without waiting 15 s. The same code runs end to end against the real
 * endpoint in conformance.test.ts, with shorter limits.
 */

class CognitoError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const answer = (overrides: Partial<InvokeAnswer> = {}): InvokeAnswer => ({
  status: 200,
  functionError: undefined,
  errorType: undefined,
  body: JSON.stringify({ response: { autoConfirmUser: true } }),
  ...overrides,
});

/** A transport that never answers on its own; it rejects when Cognito gives up on the call. */
const hanging: InvokeTransport = (_url, _body, signal) =>
  new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));

function invokerWith(transport: InvokeTransport, limits = COGNITO_TRIGGER_LIMITS) {
  return createTriggerInvoker({
    invokeEndpoint: 'http://127.0.0.1:1',
    functions: { PreSignUp: 'local-PreSignUp' },
    region: 'eu-central-1',
    ...limits,
    fail: (code, message) => new CognitoError(code, message),
    shapeEvent: (event) => ({ ...(event as object), version: '0', region: 'local', callerContext: { awsSdkVersion: '2.0', clientId: null } }),
    transport,
  });
}

describe('createTriggerInvoker', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("waits Cognito's 5 s for a call, then calls again, three calls in all", async () => {
    // Prepare
    const started: number[] = [];
    const invoker = invokerWith((url, body, signal) => {
      started.push(Date.now());
      return hanging(url, body, signal);
    });
    const startedAt = Date.now();

    // Act
    const call = invoker.invoke({}, 'PreSignUp', { triggerSource: 'PreSignUp_SignUp' });
    const settled = expect(call).rejects.toMatchObject({
      code: 'UnexpectedLambdaException',
      message: 'PreSignUp invocation failed due to error Socket timeout while invoking Lambda function.',
    });
    await vi.advanceTimersByTimeAsync(4999);
    const callsBeforeFiveSeconds = started.length;
    await vi.advanceTimersByTimeAsync(1 + 5000 + 5000);

    // Assess
    await settled;
    expect(callsBeforeFiveSeconds).toBe(1);
    expect(started.map((at) => at - startedAt)).toEqual([0, 5000, 10_000]);
  });

  it('calls again after a throttle or a 5xx from Lambda, and returns the answer that follows', async () => {
    const answers = [answer({ status: 429, errorType: 'TooManyRequestsException' }), answer({ status: 500, errorType: 'ServiceException' }), answer()];
    const transport = vi.fn<InvokeTransport>(async () => answers.shift()!);

    const response = await invokerWith(transport).invoke({}, 'PreSignUp', { triggerSource: 'PreSignUp_SignUp' });

    expect(response).toEqual({ autoConfirmUser: true });
    expect(transport).toHaveBeenCalledTimes(3);
  });

  it('names the last Lambda error when every call failed', async () => {
    const transport = vi.fn<InvokeTransport>(async () => answer({ status: 429, errorType: 'TooManyRequestsException' }));

    const call = invokerWith(transport).invoke({}, 'PreSignUp', {});

    await expect(call).rejects.toMatchObject({ code: 'UnexpectedLambdaException', message: 'PreSignUp invocation failed due to error TooManyRequestsException.' });
    expect(transport).toHaveBeenCalledTimes(3);
  });

  it('does not call again after a function error, and reports it as UserLambdaValidationException', async () => {
    const transport = vi.fn<InvokeTransport>(async () => answer({ functionError: 'Unhandled', body: JSON.stringify({ errorType: 'Error', errorMessage: 'no such plan' }) }));

    const call = invokerWith(transport).invoke({}, 'PreSignUp', {});

    await expect(call).rejects.toMatchObject({ code: 'UserLambdaValidationException', message: 'PreSignUp failed with error no such plan.' });
    expect(transport).toHaveBeenCalledTimes(1);
  });

  it('reports a result that is not a JSON object as InvalidLambdaResponseException', async () => {
    const call = invokerWith(async () => answer({ body: 'null' })).invoke({}, 'PreSignUp', {});

    await expect(call).rejects.toMatchObject({ code: 'InvalidLambdaResponseException' });
  });

  it('sends the event with the fields AWS fills: version "1", the region, the SDK version, no app client on admin calls', async () => {
    const bodies: unknown[] = [];
    const invoker = invokerWith(async (_url, body) => {
      bodies.push(JSON.parse(body));
      return answer();
    });

    await invoker.invoke({}, 'PreSignUp', { triggerSource: 'PreSignUp_AdminCreateUser' });

    expect(bodies).toEqual([
      {
        triggerSource: 'PreSignUp_AdminCreateUser',
        version: '1',
        region: 'eu-central-1',
        callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: 'CLIENT_ID_NOT_APPLICABLE' },
      },
    ]);
  });

  it('calls only configured triggers', () => {
    const invoker = invokerWith(hanging);

    expect([invoker.enabled('PreSignUp'), invoker.enabled('PostConfirmation')]).toEqual([true, false]);
  });
});
