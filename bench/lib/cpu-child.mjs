// Runs in a Node process of its own: the library's PostConfirmation handler and the seed's,
// both with their production DynamoDB clients, whose HTTP handler answers a canned 200 at
// once, so that what is timed is CPU in the handler and the SDK, no network, no emulator.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Readable } from 'node:stream';
import { confirmation, lambdaContext } from './event.mjs';
import { median } from './stats.mjs';

const [packageUrl, baselineUrl, cachedBaselineUrl, settingsJson] = process.argv.slice(2);
const { rounds, perRound, warmup } = JSON.parse(settingsJson);

// Every client of this process shares the SDK's NodeHttpHandler class: its `handle` answers
// a PutItem as DynamoDB does (200, an empty JSON object), in a fresh stream each time.
const probe = new DynamoDBClient({});
const handlerClass = Object.getPrototypeOf(probe.config.requestHandler);
handlerClass.handle = async function cannedPutItem() {
  return {
    response: {
      statusCode: 200,
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'bench' },
      body: Readable.from([Buffer.from('{}')]),
    },
  };
};
probe.destroy();

const { createPostConfirmationHandler } = await import(packageUrl);
const { handler: seed } = await import(baselineUrl);
const { handler: seedCached } = await import(cachedBaselineUrl);
// The log line is serialised as the default logger would, then dropped.
const discard = (record) => void JSON.stringify(record);
const handlers = {
  ours: createPostConfirmationHandler({ table: process.env.DDB_TABLE, logger: { info: discard, warn: discard, error: discard } }),
  seed,
  seedCached,
};

async function runBatch(handler, count) {
  const events = Array.from({ length: count }, confirmation);
  const contexts = Array.from({ length: count }, lambdaContext);
  const cpuBefore = process.cpuUsage();
  const heapBefore = process.memoryUsage().heapUsed;
  const startedAt = performance.now();
  for (let i = 0; i < count; i += 1) await handler(events[i], contexts[i]);
  const wallUs = ((performance.now() - startedAt) * 1000) / count;
  const cpu = process.cpuUsage(cpuBefore);
  return { cpuUs: (cpu.user + cpu.system) / count, wallUs, heapDelta: process.memoryUsage().heapUsed - heapBefore };
}

for (const handler of Object.values(handlers)) await runBatch(handler, warmup);
const names = Object.keys(handlers);
const cpu = Object.fromEntries(names.map((name) => [name, []]));
const ratios = { seed: [], seedCached: [] };
for (let round = 0; round < rounds; round += 1) {
  // The order rotates each round, so drift in the machine's load hits all alike.
  const order = names.map((_, index) => names[(index + round) % names.length]);
  const result = {};
  for (const name of order) result[name] = await runBatch(handlers[name], perRound);
  for (const name of names) cpu[name].push(result[name].cpuUs);
  for (const seedName of Object.keys(ratios)) ratios[seedName].push(result.ours.cpuUs / result[seedName].cpuUs);
}
const summary = (list) => ({ median: median(list), min: Math.min(...list), max: Math.max(...list) });
process.stdout.write(
  `\n${JSON.stringify({
    us: Object.fromEntries(names.map((name) => [name, median(cpu[name])])),
    ratio: summary(ratios.seed),
    ratioCached: summary(ratios.seedCached),
  })}\n`,
);
