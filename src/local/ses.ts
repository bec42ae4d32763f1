import type { Server } from 'node:http';
import { LocalStackError } from './errors.js';
import { defaultFunctionOf, importPeer } from './peers.js';
import { LOOPBACK, closeServer, endpointOf } from './servers.js';

/**
 * One email the SES emulator accepted, as its `GET /store` lists it.
 *
 * @example
 * ```ts
 * const [mail] = await stack.listSentMail();
 * expect(mail?.destination.to).toEqual(['ada@example.com']);
 * ```
 */
export interface SentMail {
  readonly messageId: string;
  readonly from: string;
  readonly replyTo?: readonly string[];
  readonly destination: { readonly to: readonly string[]; readonly cc?: readonly string[]; readonly bcc?: readonly string[] };
  readonly subject: string;
  readonly body: { readonly text?: string; readonly html?: string };
  /** When the emulator accepted it, in epoch seconds. */
  readonly at: number;
}

/** A running SES emulator. @internal */
export interface LocalSes {
  readonly endpoint: string;
  listSentMail(): Promise<SentMail[]>;
  clearSentMail(): Promise<void>;
  close(): Promise<void>;
}

const STORE_TIMEOUT_MS = 5000;

/**
 * Starts `aws-ses-v2-local` on a free loopback port (its own default host is `::`, every
 * interface).
 *
 * @internal
 */
export async function startSes(): Promise<LocalSes> {
  const start = defaultFunctionOf<(config: { host: string; port: number }) => Promise<Server>>(
    await importPeer('aws-ses-v2-local', 'aws-ses-v2-local'),
    'aws-ses-v2-local',
  );
  // Its listen promise only resolves: a failed listen shows as a server with no address,
  // which endpointOf reports.
  const server = await start({ host: LOOPBACK, port: 0 });
  const close = () => closeServer(server);
  let endpoint: string;
  try {
    endpoint = endpointOf(server, 'SES');
  } catch (error) {
    await close();
    throw error;
  }
  return {
    endpoint,
    // The emulator keeps mail in a module variable: this lists mail sent through any of its
    // servers in this process, not only this one.
    async listSentMail() {
      const response = await storeRequest(`${endpoint}/store`, 'GET');
      return ((await response.json()) as { emails: SentMail[] }).emails;
    },
    async clearSentMail() {
      await storeRequest(`${endpoint}/clear-store`, 'POST');
    },
    close,
  };
}

async function storeRequest(url: string, method: 'GET' | 'POST'): Promise<Response> {
  const response = await fetch(url, { method, signal: AbortSignal.timeout(STORE_TIMEOUT_MS) });
  if (!response.ok) throw new LocalStackError(`The SES emulator answered ${method} ${new URL(url).pathname} with HTTP ${response.status}`);
  return response;
}
