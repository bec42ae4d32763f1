import type { Server } from 'node:http';
import { LocalStackError } from './errors.js';

/** The only address the local stack listens on. @internal */
export const LOOPBACK = '127.0.0.1';

/** Starts listening on a free loopback port. @internal */
export function listen(server: Server, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(new LocalStackError(`The local ${name} server could not listen`, { cause: error }));
    server.once('error', onError);
    server.listen(0, LOOPBACK, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/** The `http://127.0.0.1:<port>` a listening server answers on. @internal */
export function endpointOf(server: Server, name: string): string {
  const address = server.address();
  if (address === null || typeof address !== 'object') {
    throw new LocalStackError(`The local ${name} server is not listening on a TCP port`);
  }
  return `http://${LOOPBACK}:${address.port}`;
}

/**
 * Closes a server and the connections it holds. `close()` alone waits for keep-alive
 * sockets (the SDK keeps them open), so a stop could take as long as the idle timeout.
 *
 * @internal
 */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!server.listening) {
      server.closeAllConnections();
      resolve();
      return;
    }
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}
