import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface SilentServer {
  readonly endpoint: string;
  /** Connections accepted so far: proof that the client really got through and waited. */
  connections(): number;
  /** Connections the client has not closed yet: a request still waiting for an answer. */
  openConnections(): number;
  stop(): Promise<void>;
}

/**
 * A 127.0.0.1 TCP server that accepts every connection and never answers: the failure a
 * timeout-less client waits on forever, unlike a refused port, which fails at once.
 */
export async function startSilentServer(): Promise<SilentServer> {
  const sockets: Socket[] = [];
  let closed = 0;
  const server: Server = createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => undefined); // the client aborting is expected
    socket.on('close', () => (closed += 1));
    socket.resume(); // reads (and drops) the request, so that the client closing is seen
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    connections: () => sockets.length,
    openConnections: () => sockets.length - closed,
    async stop() {
      sockets.forEach((socket) => socket.destroy());
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
