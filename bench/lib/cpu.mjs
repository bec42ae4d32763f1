import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const child = new URL('./cpu-child.mjs', import.meta.url).pathname;

/**
 * CPU per warm invocation, the library's handler against the seed's, with a DynamoDB
 * transport that answers at once (see cpu-child.mjs): batches of each in turn, the order
 * alternating, the median of the per-round ratios. In a process of its own, so that no
 * other measurement shares its heap or its patched HTTP handler.
 */
export async function measureCpu({ packageUrl, baselineUrl, cachedBaselineUrl, rounds, perRound, warmup }) {
  const env = { ...process.env, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench', DDB_TABLE: 'bench-cpu' };
  const { stdout } = await run(process.execPath, [child, packageUrl, baselineUrl, cachedBaselineUrl, JSON.stringify({ rounds, perRound, warmup })], { env, maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').pop());
}
