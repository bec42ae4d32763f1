import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import { buildLambdaContext } from '../testing/context.js';
import type { LocalInvocation } from './invocations.js';
import { closeServer, endpointOf, listen } from './servers.js';
import type { TriggerRegistry } from './triggers.js';

/** @internal */
export interface InvokeEndpointOptions {
  readonly registry: TriggerRegistry;
  /** How long a handler may run before the endpoint answers as Lambda does on a timeout. */
  readonly functionTimeoutMs: number;
  /** Receives each answered invocation, before the answer is sent. */
  readonly record: (invocation: LocalInvocation) => void;
}

/** A running Lambda Invoke endpoint. @internal */
export interface InvokeEndpoint {
  readonly endpoint: string;
  close(): Promise<void>;
}

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

/**
 * Starts the subset of the Lambda API that Cognito uses: `Invoke` with
 * `RequestResponse`, answered the way Lambda answers, including the function-error shape
 * (HTTP 200, `X-Amz-Function-Error: Unhandled`, `{ errorType, errorMessage, trace }`).
 *
 * @internal
 */
export async function startInvokeEndpoint(options: InvokeEndpointOptions): Promise<InvokeEndpoint> {
  const server = createServer((request, response) => {
    handle(request, response, options).catch((error: unknown) => {
      if (!response.headersSent) serviceError(response, 500, 'ServiceException', messageOf(error));
      else response.destroy();
    });
  });
  await listen(server, 'Lambda Invoke');
  return { endpoint: endpointOf(server, 'Lambda Invoke'), close: () => closeServer(server) };
}

async function handle(request: IncomingMessage, response: ServerResponse, options: InvokeEndpointOptions): Promise<void> {
  const startedAt = Date.now();
  const path = INVOKE_PATH.exec(new URL(request.url ?? '/', 'http://localhost').pathname);
  if (request.method !== 'POST' || !path?.[1]) {
    serviceError(response, 404, 'UnknownOperationException', `Unknown operation ${request.method} ${request.url}`);
    return;
  }
  const invocationType = request.headers['x-amz-invocation-type'] ?? 'RequestResponse';
  if (invocationType !== 'RequestResponse') {
    serviceError(response, 400, 'InvalidParameterValueException', `The local stack only serves RequestResponse invocations, not ${invocationType}`);
    return;
  }
  const functionName = functionNameFrom(decodeURIComponent(path[1]));
  const routed = options.registry.route(functionName);
  const body = await readBody(request);
  if (!routed) {
    serviceError(response, 404, 'ResourceNotFoundException', `Function not found: ${functionName}`);
    return;
  }
  let event: unknown;
  try {
    event = parseEvent(body);
  } catch (error) {
    serviceError(response, 400, 'InvalidRequestContentException', `Could not parse request body into json: ${messageOf(error)}`);
    return;
  }

  const awsRequestId = randomUUID();
  const context = buildLambdaContext({ functionName, awsRequestId, remainingTimeMs: options.functionTimeoutMs });
  // The handler gets its own copy, so the record keeps the event as Cognito sent it.
  const answer = toAnswer(await runWithTimeout(() => routed.handler(parseEvent(body) as never, context), options.functionTimeoutMs));
  const { triggerSource, userName } = (event ?? {}) as { triggerSource?: string; userName?: string };
  options.record({
    trigger: routed.trigger,
    functionName,
    triggerSource,
    userName,
    event,
    awsRequestId,
    ...(answer.failure
      ? { errored: true, errorType: answer.failure.errorType, errorMessage: answer.failure.errorMessage }
      : { errored: false, result: answer.result }),
    durationMs: Date.now() - startedAt,
  });
  send(response, awsRequestId, answer.payload, answer.failure !== undefined);
}

const parseEvent = (body: string): unknown => (body.length === 0 ? {} : JSON.parse(body));

/** The function's name from a name, a partial ARN or a full ARN, without its qualifier. */
function functionNameFrom(identifier: string): string {
  const inArn = /(?:^|:)function:([^:]+)/.exec(identifier);
  return inArn?.[1] ?? identifier.split(':')[0] ?? identifier;
}

interface FunctionError {
  errorType: string;
  errorMessage: string;
  trace: string[];
}

type Outcome = { ok: true; value: unknown } | { ok: false; failure: FunctionError };

/** What the endpoint sends back: the result, or the function error. */
type Answer = { payload: string; result: unknown; failure?: undefined } | { payload: string; failure: FunctionError };

function toAnswer(outcome: Outcome): Answer {
  if (!outcome.ok) return { payload: JSON.stringify(outcome.failure), failure: outcome.failure };
  try {
    // A handler that returns nothing yields `null`, as on Lambda.
    return { payload: JSON.stringify(outcome.value ?? null), result: outcome.value };
  } catch (error) {
    // A result that cannot be serialised (a cycle, a BigInt) fails the invocation.
    const failure = functionError(error);
    return { payload: JSON.stringify(failure), failure };
  }
}

async function runWithTimeout(run: () => Promise<unknown>, timeoutMs: number): Promise<Outcome> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Outcome>((resolve) => {
    timer = setTimeout(() => {
      // Lambda stops the function here; a handler in this process cannot be stopped, so it
      // runs on in the background while the caller gets Lambda's timeout answer.
      resolve({
        ok: false,
        failure: { errorType: 'Sandbox.Timedout', errorMessage: `Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`, trace: [] },
      });
    }, timeoutMs);
  });
  const completion = (async (): Promise<Outcome> => {
    try {
      return { ok: true, value: await run() };
    } catch (error) {
      return { ok: false, failure: functionError(error) };
    }
  })();
  try {
    return await Promise.race([completion, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The body the Node.js runtime sends for an unhandled error. */
function functionError(error: unknown): FunctionError {
  if (error instanceof Error) {
    return { errorType: error.name, errorMessage: error.message, trace: (error.stack ?? '').split('\n') };
  }
  return { errorType: typeof error, errorMessage: String(error), trace: [] };
}

function send(response: ServerResponse, requestId: string, payload: string, errored: boolean): void {
  response.writeHead(200, {
    'content-type': 'application/json',
    'x-amzn-requestid': requestId,
    'x-amz-executed-version': '$LATEST',
    ...(errored ? { 'x-amz-function-error': 'Unhandled' } : {}),
  });
  response.end(payload);
}

/** An error of the Lambda service itself (not of the function), as Lambda's REST-JSON shape. */
function serviceError(response: ServerResponse, status: number, type: string, message: string): void {
  response.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type });
  response.end(JSON.stringify({ Type: 'User', message }));
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
