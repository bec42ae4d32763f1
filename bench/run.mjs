// `npm run bench`: the budgets of DESIGN.md, measured side by side in one run, as one table.
// Reads the built package (dist/); writes only under bench/ (a temp folder it removes, and RESULTS.md).
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { measureAdminChangeReads } from './lib/admin-change-reads.mjs';
import { bundle, unwantedClients } from './lib/bundle.mjs';
import { measureCeiling } from './lib/ceiling.mjs';
import { measureCommonJsBundles } from './lib/cjs.mjs';
import { measureColdStarts } from './lib/cold.mjs';
import { measureCpu } from './lib/cpu.mjs';
import { startDynalite } from './lib/dynalite.mjs';
import { measureReconcile } from './lib/reconcile.mjs';
import { measureReconcileMemory } from './lib/reconcile-memory.mjs';
import { assumptions as planAssumptions, orphanPlan } from './lib/orphanPlan.mjs';
import { measureWarm } from './lib/warm.mjs';

const bench = new URL('.', import.meta.url).pathname;
const root = new URL('..', import.meta.url).pathname;
const settings = {
  coldRuns: Number(process.env.BENCH_COLD_RUNS ?? 15),
  warmIterations: Number(process.env.BENCH_WARM_ITERATIONS ?? 1000),
  warmup: 100,
  cpuRounds: Number(process.env.BENCH_CPU_ROUNDS ?? 60),
  cpuPerRound: 200,
  cpuWarmup: 3000,
  reconcileUsers: Number(process.env.BENCH_RECONCILE_USERS ?? 300),
  reconcileRuns: Number(process.env.BENCH_RECONCILE_RUNS ?? 3),
  // A same-region DynamoDB round trip from Lambda takes a few milliseconds; 2 ms is on the low side.
  dynamoLatencyMs: 2,
  ceilingUsers: Number(process.env.BENCH_CEILING_USERS ?? 15_000),
  ceilingLatencyMs: 200,
};
const budget = {
  coldRatio: 1.05,
  ownBytes: 10 * 1024,
  // The library's CPU against the seed's, with a DynamoDB transport that answers at once.
  cpuRatio: 0.95,
  // On dynalite, against a seed doing the same conditional PutItem.
  warmConditionalRatio: 1.0,
  reconcileSpeedup: 5,
  // A backfill writes every user either way: reconcile's conditional create against one
  // unconditional PutItem per user.
  backfillSpeedup: 1,
  reconcileMillionBytes: 100 * 2 ** 20,
  // 90 % of the default listUsersPerSecond (25) times 60 users a page.
  ceilingUsersPerSecond: 0.9 * 25 * 60,
  cjsRatio: 1.1,
};

/** The other work in this checkout may be rebuilding dist/; wait for it rather than fail. */
async function waitForDist() {
  for (let attempt = 0; attempt < 30; attempt += 1) {
    if (existsSync(join(root, 'dist/index.js')) && existsSync(join(root, 'dist/local/index.js'))) return;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  throw new Error('dist/ is missing: run `npm run build` first');
}

const machine = `${cpus()[0]?.model.trim()}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}/${process.arch}`;
const rows = [];
const failures = [];
const row = (metric, ours, baseline, ratio, target, ok) => {
  rows.push({ metric, ours, baseline, ratio, target, ok: ok === undefined ? '' : ok ? 'ok' : 'MISSED' });
  if (ok === false) failures.push(`${metric}: ${ratio || ours} (target ${target})`);
};
const ms = (value) => `${value.toFixed(value < 10 ? 2 : 1)} ms`;
const x = (value) => value.toFixed(2);

// The machine may be shared: the load before and after the run says how quiet it was.
const load = () => loadavg().map((value) => value.toFixed(2)).join(', ');

async function main() {
  await waitForDist();
  const loadBefore = load();
  console.log(`machine: ${machine}; load average ${loadBefore}`);
  const tmp = await mkdtemp(join(bench, '.tmp-'));
  const dynamo = await startDynalite();
  try {
    // Bundles, as NodejsFunction would build them
    const ours = await bundle(join(bench, 'lambda/ours.mjs'), join(tmp, 'ours.cjs'));
    const fromRoot = await bundle(join(bench, 'lambda/ours-root.mjs'), join(tmp, 'ours-root.cjs'));
    const control = await bundle(join(bench, 'lambda/ours-welcome.mjs'), join(tmp, 'ours-welcome.cjs'));
    const baseline = await bundle(join(bench, 'lambda/baseline.mjs'), join(tmp, 'baseline.cjs'));
    const bySource = await bundle(join(bench, 'lambda/ours.mjs'), join(tmp, 'ours-src.cjs'), { from: 'src' });
    row('bundle: library code on the no-welcome PostConfirmation path, from cognito-profile-sync/post-confirmation', `${ours.ownBytes} B`, '', '', `<= ${budget.ownBytes} B`, ours.ownBytes <= budget.ownBytes);
    row('bundle: the same from the root entry (takes a bare onWelcome function, so carries the welcome protocol)', `${fromRoot.ownBytes} B`, '', '', '(reported)', undefined);
    row('bundle: whole handler bundle (SDK external)', `${ours.bytes} B`, `${baseline.bytes} B`, '', '', undefined);
    const unwanted = unwantedClients(ours);
    // The check must be able to fail: with sesWelcomeEmail the SES client has to show up.
    const controlSeen = unwantedClients(control).some((path) => path.includes('client-ses'));
    row('bundle: SES / Cognito-admin client imports without a welcome', unwanted.join(', ') || 'none', '', '', `none (control with SES: ${controlSeen ? 'seen' : 'NOT seen'})`, unwanted.length === 0 && controlSeen);

    // CommonJS projects: the handler's own entry point, required against imported
    const cjs = await measureCommonJsBundles();
    row('bundle: CommonJS handler from cognito-profile-sync/post-confirmation (baseline: ESM from the same entry)', `${cjs.cjs} B`, `${cjs.esm} B`, x(cjs.cjs / cjs.esm), `<= ${budget.cjsRatio}`, cjs.cjs / cjs.esm <= budget.cjsRatio);
    row('bundle: CommonJS handler from the root entry (not tree-shakable)', `${cjs.cjsRoot} B`, `${cjs.esm} B`, x(cjs.cjsRoot / cjs.esm), '(reported)', undefined);

    // Cold start: fresh processes, one table both write to
    await dynamo.createTable('bench-cold');
    const cold = await measureColdStarts({ ours: ours.outfile, baseline: baseline.outfile, runs: settings.coldRuns, env: { ...dynamo.env, DDB_TABLE: 'bench-cold' } });
    row(`cold: load + first event, median of ${settings.coldRuns}`, ms(cold.ours.totalMs), ms(cold.baseline.totalMs), x(cold.ours.totalMs / cold.baseline.totalMs), `<= ${budget.coldRatio}`, cold.ours.totalMs / cold.baseline.totalMs <= budget.coldRatio);
    row('cold: module load only', ms(cold.ours.loadMs), ms(cold.baseline.loadMs), x(cold.ours.loadMs / cold.baseline.loadMs), '', undefined);
    row('cold: whole process, spawn to exit', ms(cold.ours.processMs), ms(cold.baseline.processMs), x(cold.ours.processMs / cold.baseline.processMs), '', undefined);
    const loadedUnwanted = cold.ours.clients.filter((client) => client !== 'client-dynamodb');
    row('cold: SDK clients loaded by the process', cold.ours.clients.join(', '), cold.baseline.clients.join(', '), '', 'client-dynamodb only', loadedUnwanted.length === 0);

    // Warm CPU: a process of its own, the transport answering at once (no network, no emulator)
    const cpu = await measureCpu({
      packageUrl: join(root, 'dist/index.js'),
      baselineUrl: join(bench, 'lambda/baseline.mjs'),
      cachedBaselineUrl: join(bench, 'lambda/baseline-cached.mjs'),
      rounds: settings.cpuRounds,
      perRound: settings.cpuPerRound,
      warmup: settings.cpuWarmup,
    });
    const us = (value) => `${value.toFixed(0)} µs`;
    const spread = ({ min, max }) => `(rounds ${x(min)}-${x(max)})`;
    row(
      `warm CPU per invocation, instant DynamoDB transport, median of ${settings.cpuRounds} rounds of ${settings.cpuPerRound}`,
      us(cpu.us.ours),
      us(cpu.us.seed),
      `${x(cpu.ratio.median)} ${spread(cpu.ratio)}`,
      `<= ${budget.cpuRatio}`,
      cpu.ratio.median <= budget.cpuRatio,
    );
    row(
      'warm CPU: against the seed with cacheMiddleware on too (the library turns it on for its own client)',
      us(cpu.us.ours),
      us(cpu.us.seedCached),
      `${x(cpu.ratioCached.median)} ${spread(cpu.ratioCached)}`,
      '(diagnostic)',
      undefined,
    );

    // Warm on dynalite: this process, the built package as users import it
    Object.assign(process.env, dynamo.env, { DDB_TABLE: 'bench-warm-baseline', DDB_TABLE_CONDITIONAL: 'bench-warm-conditional' });
    await Promise.all(['bench-warm-ours', 'bench-warm-baseline', 'bench-warm-conditional'].map((name) => dynamo.createTable(name)));
    const { createPostConfirmationHandler } = await import(join(root, 'dist/index.js'));
    const { handler: baselineHandler } = await import(join(bench, 'lambda/baseline.mjs'));
    const { handler: conditionalHandler } = await import(join(bench, 'lambda/baseline-conditional.mjs'));
    // The log line is serialised as the default logger would, then dropped, to keep the table readable.
    const discard = (record) => void JSON.stringify(record);
    const oursHandler = createPostConfirmationHandler({ table: 'bench-warm-ours', logger: { info: discard, warn: discard, error: discard } });
    const warm = await measureWarm({
      handlers: { ours: oursHandler, baseline: baselineHandler, conditional: conditionalHandler },
      iterations: settings.warmIterations,
      warmup: settings.warmup,
    });
    const iterations = settings.warmIterations;
    const conditionalRatio = warm.ours.p50 / warm.conditional.p50;
    row(`warm on dynalite: p50 of ${iterations}, against a seed doing the same conditional PutItem`, ms(warm.ours.p50), ms(warm.conditional.p50), x(conditionalRatio), `<= ${budget.warmConditionalRatio.toFixed(2)}`, conditionalRatio <= budget.warmConditionalRatio);
    row(`warm on dynalite: p50 of ${iterations}, against the seed's unconditional PutItem`, ms(warm.ours.p50), ms(warm.baseline.p50), x(warm.ours.p50 / warm.baseline.p50), '(reported: dynalite evaluating the condition)', undefined);
    row(`warm on dynalite: p99 of ${iterations}, against the conditional seed`, ms(warm.ours.p99), ms(warm.conditional.p99), x(warm.ours.p99 / warm.conditional.p99), '(reported)', undefined);

    // Reconcile against the naive loop: the local stack's Cognito, and DynamoDB answering at
    // once or after a round trip (a same-region DynamoDB call takes a few ms)
    const dynamoAway = await startDynalite({ latencyMs: settings.dynamoLatencyMs });
    let reconciled;
    try {
      reconciled = await measureReconcile({
        packageUrl: join(root, 'dist/index.js'),
        localUrl: join(root, 'dist/local/index.js'),
        targets: { away: dynamoAway, instant: dynamo },
        users: settings.reconcileUsers,
        runs: settings.reconcileRuns,
      });
    } finally {
      await dynamoAway.stop();
    }
    if (reconciled === undefined) {
      row('reconcile: users/s vs ListUsers + PutItem loop', 'not built', '', '', `>= ${budget.reconcileSpeedup}x`, undefined);
    } else {
      const { users, runs, away, instant } = reconciled;
      const speedup = (result, phase) => result[phase].reconcile / result[phase].naive;
      const rate = (result, phase) => [result[phase].reconcile.toFixed(0), result[phase].naive.toFixed(0), `${x(speedup(result, phase))}x`];
      const clean = away.problems.length === 0 && instant.problems.length === 0;
      const latency = `DynamoDB ${settings.dynamoLatencyMs} ms away`;
      // The gates are with DynamoDB's round trip, as in a region: the naive loop waits for each
      // write, reconcile keeps several in flight. At zero latency both are bound by the
      // client's CPU, and reconcile does more per user (a consistent read per page, the
      // condition, the orphan scan): reported, not gated.
      row(`reconcile: users/s, periodic run over ${users} users in step, ${latency}, median of ${runs}`, ...rate(away, 'periodic'), `>= ${budget.reconcileSpeedup}x`, speedup(away, 'periodic') >= budget.reconcileSpeedup && clean);
      row(`reconcile: users/s, backfill of ${users} users into an empty table (conditional creates), ${latency}`, ...rate(away, 'backfill'), `>= ${budget.backfillSpeedup.toFixed(1)}x`, speedup(away, 'backfill') >= budget.backfillSpeedup && clean);
      row(`reconcile: users/s, periodic run, DynamoDB answering at once (client CPU-bound)`, ...rate(instant, 'periodic'), '(reported)', undefined);
      row(`reconcile: users/s, backfill, DynamoDB answering at once (client CPU-bound)`, ...rate(instant, 'backfill'), '(reported)', undefined);
      [...away.problems, ...instant.problems].forEach((problem) => failures.push(`reconcile: ${problem}`));
    }

    // Reconcile at Cognito's ceiling: a fake ListUsers that answers in 200 ms and throttles past 30/s
    const ceiling = await measureCeiling({ packageUrl: join(root, 'dist/index.js'), users: settings.ceilingUsers, latencyMs: settings.ceilingLatencyMs });
    const { partitioned, oneStream } = ceiling;
    const ceilingOk = partitioned.usersPerSecond >= budget.ceilingUsersPerSecond && partitioned.throttled === 0 && partitioned.problems.length === 0;
    row(
      `reconcile at the ceiling: users/s over ${partitioned.users.toLocaleString('en')} users in step, ListUsers ${settings.ceilingLatencyMs} ms, 30/s quota (baseline: one stream, ${oneStream.users.toLocaleString('en')} users)`,
      partitioned.usersPerSecond.toFixed(0),
      oneStream.usersPerSecond.toFixed(0),
      `${x(partitioned.usersPerSecond / oneStream.usersPerSecond)}x`,
      `>= ${budget.ceilingUsersPerSecond} (0.9 x 25 x 60)`,
      ceilingOk,
    );
    row('reconcile at the ceiling: throttled ListUsers calls at the default rate', String(partitioned.throttled), String(oneStream.throttled), '', '0', partitioned.throttled === 0);
    [...partitioned.problems, ...oneStream.problems].forEach((problem) => failures.push(`reconcile at the ceiling: ${problem}`));

    // Admin changes at volume: Cognito reads, EventBridge one by one against Kinesis batches (a count)
    const adminReads = await measureAdminChangeReads({ packageUrl: join(root, 'dist/index.js'), testingUrl: join(root, 'dist/testing/index.js'), dynamo });
    if (adminReads !== undefined) {
      const { random, perUser, events, users, batchSize } = adminReads;
      const per = (count) => `${count.toLocaleString('en')} reads`;
      row(`admin changes: Cognito reads per ${events.toLocaleString('en')} events for ${users} users in random order, Kinesis batches of ${batchSize} (baseline: EventBridge one by one)`, per(random.batched), per(random.oneByOne), x(random.batched / random.oneByOne), '(count; rows current)', adminReads.problems.length === 0);
      row(`admin changes: the same, each user's changes in a row (a script editing user by user)`, per(perUser.batched), per(perUser.oneByOne), x(perUser.batched / perUser.oneByOne), '(count)', undefined);
      adminReads.problems.forEach((problem) => failures.push(`admin changes: ${problem}`));
    }

    // Reconcile's memory: live heap and buffers at the peak, in a process of its own
    const mb = (bytes) => `${(bytes / 2 ** 20).toFixed(1)} MB`;
    for (const users of [100_000, 1_000_000]) {
      const memory = measureReconcileMemory({ packageUrl: join(root, 'dist/index.js'), users });
      const million = users === 1_000_000;
      row(`reconcile: live memory at the peak, ${users.toLocaleString('en')} users`, mb(memory.peakBytes), '', '', million ? `< ${mb(budget.reconcileMillionBytes)}` : '(per 100k)', million ? memory.peakBytes < budget.reconcileMillionBytes && memory.scanned === users : undefined);
    }

    const table = render(rows);
    console.log(`\n${table}`);
    // The orphan check past one invocation: the plan's figures (README, "Orphans in big pools")
    const plan = render(
      [1_000_000, 10_000_000].map((users) => {
        const figures = orphanPlan(users);
        return {
          pool: `${(users / 1e6).toFixed(0)}M users`,
          slices: String(figures.slices),
          time: `${figures.hours.toFixed(2)} h (scans ${figures.scanMinutes.toFixed(0)} min)`,
          'Lambda invocations': String(figures.invocations),
          'seen subs, peak per slice': mb(figures.seenSetPeakBytes),
          'DynamoDB reads': `${(figures.readUnits / 1e6).toFixed(1)} M RRU, $${figures.dynamoDollars.toFixed(2)}`,
          'Lambda cost': `$${figures.lambdaDollars.toFixed(3)}`,
        };
      }),
    );
    const planNote = `at ${planAssumptions.usersPerSecond.toLocaleString('en')} users/s (listUsersPerSecond 25), ${planAssumptions.invocationSeconds} s a run, rows of ${planAssumptions.rowBytes} B, scans at ${planAssumptions.scanBytesPerSecond / 2 ** 20} MB/s`;
    console.log(`\norphan check past one invocation, the plan (${planNote}):\n${plan}`);
    const breakdown = render(
      bySource.inputs
        .filter(({ path, bytes }) => path.startsWith('src/') && bytes > 0)
        .sort((a, b) => b.bytes - a.bytes)
        .map(({ path, bytes }) => ({ module: path, bytes: String(bytes), share: `${((100 * bytes) / bySource.ownBytes).toFixed(0)}%` })),
    );
    console.log(`\nlibrary bytes by module (bundled from src/, minified; ${bySource.ownBytes} B in all):\n${breakdown}`);
    if (failures.length > 0) console.log(`\nbudgets missed:\n${failures.map((failure) => `- ${failure}`).join('\n')}`);
    await writeFile(
      join(bench, 'RESULTS.md'),
      `# Bench results\n\nLast \`npm run bench\` (${new Date().toISOString().slice(0, 10)}), on ${machine}; load average (1, 5, 15 min) ${loadBefore} at the start, ${load()} at the end.\n\n${table}\n\nThe orphan check past one invocation, the plan's figures (${planNote}; see docs/reconcile.md):\n\n${plan}\n\nLibrary bytes on the PostConfirmation path, by module (bundled from src/, minified; ${bySource.ownBytes} B in all):\n\n${breakdown}\n${failures.length > 0 ? `\nBudgets missed:\n\n${failures.map((failure) => `- ${failure}`).join('\n')}\n` : '\nEvery budget met.\n'}`,
    );
  } finally {
    await dynamo.stop();
    await rm(tmp, { recursive: true, force: true });
  }
  process.exitCode = failures.length > 0 ? 1 : 0;
}

/** A Markdown table, which reads as well in a terminal as in RESULTS.md. */
function render(records) {
  const columns = Object.keys(records[0] ?? {});
  const widths = columns.map((column) => Math.max(column.length, ...records.map((record) => String(record[column]).length)));
  const line = (cells) => `| ${cells.map((cell, index) => String(cell).padEnd(widths[index])).join(' | ')} |`;
  return [line(columns), line(widths.map((width) => '-'.repeat(width))), ...records.map((record) => line(columns.map((column) => record[column])))].join('\n');
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 2;
});
