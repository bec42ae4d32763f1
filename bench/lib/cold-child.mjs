// Runs in a fresh Node process: load one handler bundle, serve one event, report timings
// and which AWS SDK clients the process loaded.
import { createRequire } from 'node:module';
import { confirmation, lambdaContext } from './event.mjs';

const require = createRequire(import.meta.url);
const [bundlePath] = process.argv.slice(2);

const startedAt = performance.now();
const { handler } = require(bundlePath);
const loadedAt = performance.now();
await handler(confirmation(), lambdaContext());
const servedAt = performance.now();

const clients = [...new Set(Object.keys(require.cache).map((path) => path.match(/@aws-sdk\/(client-[a-z-]+)/)?.[1]).filter(Boolean))];
process.stdout.write(`\n${JSON.stringify({ loadMs: loadedAt - startedAt, firstEventMs: servedAt - loadedAt, totalMs: servedAt - startedAt, clients })}\n`);
