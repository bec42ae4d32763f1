import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface DynaliteProcess {
  readonly endpoint: string;
  stop(): Promise<void>;
}

// Runs in the child: dynalite on a free loopback port, which it prints.
const SERVER = `
const dynalite = require('dynalite');
const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
// Exit with the parent, even one that crashed: its end of stdin closes.
process.stdin.on('end', () => process.exit()).resume();
`;

/**
 * dynalite in a child process. Under load the emulator, not the handler, is the busy
 * side; on its own process it gets its own core, as DynamoDB is a separate service.
 */
export async function startDynaliteProcess(): Promise<DynaliteProcess> {
  const child: ChildProcess = spawn(process.execPath, ['-e', SERVER], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`dynalite exited with ${code}`)));
    createInterface({ input: child.stdout! }).once('line', resolve);
  });
  return {
    endpoint: `http://127.0.0.1:${port.trim()}`,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill();
      await exited;
    },
  };
}
