import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SentMail {
  from: string;
  destination: { to: string[] };
  subject: string;
  body: { text?: string; html?: string };
}

export interface TestSes {
  endpoint: string;
  sentMail(): Promise<SentMail[]>;
  clear(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts a real aws-ses-v2-local server on a free loopback port. Its mail store is one per process. */
export async function startSes(): Promise<TestSes> {
  const module = (await import('aws-ses-v2-local')) as unknown as {
    default: (options: { host: string; port: number }) => Promise<Server>;
  };
  const server = await module.default({ host: '127.0.0.1', port: 0 });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    async sentMail() {
      const response = await fetch(`${endpoint}/store`);
      return ((await response.json()) as { emails: SentMail[] }).emails;
    },
    async clear() {
      await fetch(`${endpoint}/clear-store`, { method: 'POST' });
    },
    async stop() {
      server.closeAllConnections?.();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
