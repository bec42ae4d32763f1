import type { Context } from 'aws-lambda';
import { randomUUID } from 'node:crypto';

/** Options of {@link buildLambdaContext}. */
export interface LambdaContextOptions {
  /**
   * Milliseconds the invocation has left when the context is built; counts down in real time.
   * @default 5000
   */
  remainingTimeMs?: number;
  /** @default 'post-confirmation' */
  functionName?: string;
  /** @default a random UUID */
  awsRequestId?: string;
}

/**
 * A Lambda context whose `getRemainingTimeInMillis()` counts down from `remainingTimeMs`,
 * for tests of deadline behaviour.
 *
 * @example
 * ```ts
 * await handler(buildPostConfirmationEvent(), buildLambdaContext({ remainingTimeMs: 1000 }));
 * ```
 */
export function buildLambdaContext(options: LambdaContextOptions = {}): Context {
  const { remainingTimeMs = 5000, functionName = 'post-confirmation', awsRequestId = randomUUID() } = options;
  const startedAt = Date.now();
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '128',
    awsRequestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `2026/01/01/[$LATEST]${awsRequestId.replace(/-/g, '')}`,
    getRemainingTimeInMillis: () => Math.max(0, remainingTimeMs - (Date.now() - startedAt)),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
