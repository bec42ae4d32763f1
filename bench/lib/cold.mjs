import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { median } from './stats.mjs';

const run = promisify(execFile);
const child = new URL('./cold-child.mjs', import.meta.url).pathname;

async function coldStart(bundlePath, env) {
  const startedAt = performance.now();
  const { stdout } = await run(process.execPath, [child, bundlePath], { env: { ...process.env, ...env } });
  const processMs = performance.now() - startedAt;
  const report = JSON.parse(stdout.trim().split('\n').pop());
  return { ...report, processMs };
}

/**
 * Fresh processes, ours and the baseline alternating (which goes first alternates too), so
 * drift in the machine's load hits both alike. One unmeasured pair first warms the disk cache.
 */
export async function measureColdStarts({ ours, baseline, runs, env }) {
  await coldStart(ours, env);
  await coldStart(baseline, env);
  const samples = { ours: [], baseline: [] };
  for (let i = 0; i < runs; i += 1) {
    const order = i % 2 === 0 ? ['ours', 'baseline'] : ['baseline', 'ours'];
    for (const name of order) samples[name].push(await coldStart(name === 'ours' ? ours : baseline, env));
  }
  const summary = (list) => ({
    totalMs: median(list.map((sample) => sample.totalMs)),
    loadMs: median(list.map((sample) => sample.loadMs)),
    firstEventMs: median(list.map((sample) => sample.firstEventMs)),
    processMs: median(list.map((sample) => sample.processMs)),
    clients: [...new Set(list.flatMap((sample) => sample.clients))],
  });
  return { ours: summary(samples.ours), baseline: summary(samples.baseline) };
}
