import { confirmation, lambdaContext } from './event.mjs';
import { percentile } from './stats.mjs';

/**
 * Warm invocations in one process, a fresh user each time, the handlers taking turns (the
 * order rotating each round), so drift in the machine's load hits all alike. The warm-up
 * rounds open connections and let the JIT settle before anything is recorded.
 */
export async function measureWarm({ handlers, iterations, warmup }) {
  const names = Object.keys(handlers);
  const samples = Object.fromEntries(names.map((name) => [name, []]));
  for (let i = 0; i < warmup + iterations; i += 1) {
    const order = names.map((_, index) => names[(index + i) % names.length]);
    for (const name of order) {
      const event = confirmation();
      const startedAt = performance.now();
      await handlers[name](event, lambdaContext());
      if (i >= warmup) samples[name].push(performance.now() - startedAt);
    }
  }
  return Object.fromEntries(names.map((name) => [name, { p50: percentile(samples[name], 50), p99: percentile(samples[name], 99) }]));
}
