import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the proxy saw: the DynamoDB or SES operation, and whether it was faulted. */
export interface ProxiedRequest {
  readonly operation: string;
  readonly faulted: boolean;
}

/** What the proxy answers instead of forwarding, or `hang`: read the request, never answer. */
export type FaultResponse =
  | { readonly status: number; readonly contentType: string; readonly body: string }
  | 'hang';

export interface FaultProxy {
  readonly endpoint: string;
  readonly requests: ProxiedRequest[];
  stop(): Promise<void>;
}

/**
 * The DynamoDB JSON protocol names the operation in X-Amz-Target; the SES query protocol
 * in the form body's Action. Both let a fault target one operation.
 */
function operationOf(headers: IncomingHttpHeaders, body: string): string {
  const target = headers['x-amz-target'];
  if (typeof target === 'string') return target.split('.').pop() ?? target;
  return new URLSearchParams(body).get('Action') ?? 'unknown';
}

/** DynamoDB's answer when a table's throughput is exceeded: retryable, so the SDK backs off and retries. */
export const dynamoThrottle: FaultResponse = {
  status: 400,
  contentType: 'application/x-amz-json-1.0',
  body: JSON.stringify({
    __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
    message: 'The level of configured provisioned throughput for the table was exceeded.',
  }),
};

/** An SES query-protocol error, as SES answers it. */
export function sesError(code: string, message: string, status = 400): Exclude<FaultResponse, 'hang'> {
  return {
    status,
    contentType: 'text/xml',
    body: `<ErrorResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>`,
  };
}

/**
 * A 127.0.0.1 HTTP proxy in front of a local emulator that answers some requests with a
 * fault instead of forwarding them. Faulting on the wire, rather than mocking the client,
 * exercises the SDK's real error parsing and retry strategy.
 */
export async function startFaultProxy(
  target: string,
  faultFor: (operation: string, index: number, body: string) => FaultResponse | undefined,
): Promise<FaultProxy> {
  const upstream = new URL(target);
  const requests: ProxiedRequest[] = [];
  const server: Server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      const text = body.toString('utf8');
      const operation = operationOf(incoming.headers, text);
      const fault = faultFor(operation, requests.length, text);
      requests.push({ operation, faulted: fault !== undefined });
      if (fault === 'hang') return;
      if (fault) {
        outgoing.writeHead(fault.status, { 'content-type': fault.contentType, 'x-amzn-requestid': 'fault-proxy' });
        outgoing.end(fault.body);
        return;
      }
      const forwarded = request(
        { host: upstream.hostname, port: upstream.port, method: incoming.method, path: incoming.url, headers: incoming.headers },
        (response) => {
          outgoing.writeHead(response.statusCode ?? 502, response.headers);
          response.pipe(outgoing);
        },
      );
      forwarded.on('error', () => outgoing.destroy());
      forwarded.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
