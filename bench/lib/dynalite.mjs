import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { CreateTableCommand, DynamoDBClient, waitUntilTableExists } from '@aws-sdk/client-dynamodb';

const SERVER = `
const dynalite = require('dynalite');
const latencyMs = Number(process.argv[1] ?? 0);
const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
if (latencyMs > 0) {
  // Each request waits as long as a round trip to DynamoDB would before it is served.
  const [serve] = server.listeners('request');
  server.removeAllListeners('request');
  server.on('request', (request, response) => setTimeout(serve, latencyMs, request, response));
}
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
// Exit with the parent, even one that crashed: its end of stdin closes.
process.stdin.on('end', () => process.exit()).resume();
`;

/**
 * dynalite in its own process, so the handler being timed never shares an event loop with
 * the server, as with DynamoDB. Both sides of every comparison talk to this one server.
 * `latencyMs` delays every request, as the network between Lambda and DynamoDB does.
 */
export async function startDynalite({ latencyMs = 0 } = {}) {
  const child = spawn(process.execPath, ['-e', SERVER, String(latencyMs)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`dynalite exited with ${code}`)));
    createInterface({ input: child.stdout }).once('line', resolve);
  });
  const endpoint = `http://127.0.0.1:${port.trim()}`;
  const env = {
    AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
  };
  const admin = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
  return {
    endpoint,
    env,
    async createTable(name) {
      await admin.send(
        new CreateTableCommand({
          TableName: name,
          AttributeDefinitions: [{ AttributeName: 'userId', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'userId', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      // dynalite answers CreateTable before the table is ACTIVE, even with createTableMs 0.
      await waitUntilTableExists({ client: admin, maxWaitTime: 30, minDelay: 0.05, maxDelay: 0.2 }, { TableName: name });
    },
    async stop() {
      admin.destroy();
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill();
      await exited;
    },
  };
}
