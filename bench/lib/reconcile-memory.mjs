import { execFileSync } from 'node:child_process';

/**
 * Reconcile's own peak memory for `users` users, measured in a fresh process (so nothing of
 * the bench's other work is counted) with the AWS calls answered in memory.
 */
export function measureReconcileMemory({ packageUrl, users }) {
  const child = new URL('./reconcile-memory-child.mjs', import.meta.url).pathname;
  const out = execFileSync(process.execPath, ['--expose-gc', child, packageUrl, String(users)], {
    encoding: 'utf8',
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return JSON.parse(out);
}
