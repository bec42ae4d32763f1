// The orphan check for pools bigger than one invocation, as built (docs/reconcile.md,
// "Orphans in big pools"): the scheduled handler lists the pool slice by slice (a slice: the
// users whose `sub` starts with one of a run of the 256 two-hex-digit prefixes), holds each
// slice's `sub`s while one parallel table scan keeps the rows keyed in that slice, and
// confirms the rows no listing saw one by one. A slice is listed and scanned within one
// invocation; only the next slice's index (and the slice count) outlives an invocation.
//
// The figures are arithmetic on the measured rate and memory and on the assumptions below,
// each named; DynamoDB and Lambda prices are on-demand, us-east-1. The rules are those of
// src/reconcile/sliceCycle.ts: a slice that does not fit one invocation is split in two (so
// the default, 1 slice, doubles until a slice fits, one cut-short invocation a doubling, on the
// first cycle only), and an invocation starts a further slice only while the last one's time,
// times NEXT_SLICE_MARGIN, is left.

/** What the plan's figures rest on. */
export const assumptions = {
  /** The default listUsersPerSecond (25) times 60 users a page. */
  usersPerSecond: 25 * 60,
  /** A scheduled run: Lambda's 900 s less the handler's 60 s reserve. */
  invocationSeconds: 900 - 60,
  /** The reconcile function's memory in the CDK construct. */
  lambdaMemoryGb: 0.5,
  /** A default-profile row (key, user name, email, names, pool, timestamps), rounded up. */
  rowBytes: 400,
  /**
   * One table scan's read rate, with the scan split in 8 parallel segments (about 10 MB/s a
   * segment: a 1 MB page every 100 ms).
   */
  scanBytesPerSecond: 8 * 10 * 2 ** 20,
  /** On-demand read request units, per million (us-east-1, since November 2024). */
  dollarsPerMillionReads: 0.125,
  /** Lambda, per GB-second (x86) and per request. */
  dollarsPerGbSecond: 0.0000166667,
  dollarsPerRequest: 0.0000002,
};

/** src/reconcile/sliceCycle.ts: a further slice starts while 1.25 times the last one's time is left. */
export const NEXT_SLICE_MARGIN = 1.25;

/**
 * Bytes the seen-`sub` set holds at its peak for `users` entries (reconcile/seenSubs.ts):
 * 17 bytes a slot, slots a power of two at least twice the entries, the old table and the
 * new side by side while it doubles.
 */
export function seenSetPeakBytes(users) {
  const slots = 2 ** Math.ceil(Math.log2(Math.max(16, 2 * users)));
  return 17 * (slots + slots / 2);
}

/** Seconds one slice of `slices` takes: its listing, and a scan of the whole table. */
function sliceSeconds(users, slices, a) {
  return users / slices / a.usersPerSecond + (users * a.rowBytes) / a.scanBytesPerSecond;
}

/** Invocations a cycle of `slices` takes: each runs slices while the margin is left, and stops at the cycle's end. */
function cycleInvocations(users, slices, a) {
  const t = sliceSeconds(users, slices, a);
  if (t > a.invocationSeconds) return undefined;
  const perInvocation = 1 + Math.max(0, Math.floor(a.invocationSeconds / t - NEXT_SLICE_MARGIN));
  return Math.ceil(slices / perInvocation);
}

/** The slice count a cycle settles on from `orphanSlices`: doubled until a slice fits one invocation. */
export function settledSlices(users, orphanSlices = 1, a = assumptions) {
  let slices = orphanSlices;
  while (cycleInvocations(users, slices, a) === undefined) {
    if (slices >= 256) throw new Error(`no slicing fits ${users} users in one invocation's time`);
    slices *= 2;
  }
  return slices;
}

/**
 * One full check of a pool of `users` with `orphanSlices` (the handler's option, 1 by
 * default): the slice count it settles on, time, invocations, memory and cost.
 * `discoveryInvocations` are the cut-short ones the doubling costs, once; `fewest` is the
 * count to set for the fewest invocations a cycle (and of those, the fewest scans).
 */
export function orphanPlan(users, a = assumptions, orphanSlices = 1) {
  const slices = settledSlices(users, orphanSlices, a);
  const invocations = cycleInvocations(users, slices, a);
  const tableBytes = users * a.rowBytes;
  const scanSeconds = tableBytes / a.scanBytesPerSecond;
  const listingSeconds = users / a.usersPerSecond;
  const seconds = listingSeconds + slices * scanSeconds;
  // Reads: every row once by a consistent BatchGetItem (1 unit a row up to 4 KB), and one
  // eventually consistent scan of the whole table per slice (half a unit per 4 KB read): the
  // scan's key filter spares the transfer, not the read.
  const batchReads = users;
  const scanReads = slices * Math.ceil(tableBytes / 4096) * 0.5;
  const dynamoDollars = ((batchReads + scanReads) / 1e6) * a.dollarsPerMillionReads;
  const lambdaDollars = seconds * a.lambdaMemoryGb * a.dollarsPerGbSecond + invocations * a.dollarsPerRequest;
  let fewest;
  for (let count = 1; count <= 256; count *= 2) {
    const n = cycleInvocations(users, count, a);
    if (n !== undefined && (fewest === undefined || n < fewest.invocations)) fewest = { slices: count, invocations: n };
  }
  return {
    users,
    slices,
    sliceUsers: users / slices,
    hours: seconds / 3600,
    listingHours: listingSeconds / 3600,
    scanMinutes: (slices * scanSeconds) / 60,
    invocations,
    discoveryInvocations: Math.log2(slices / orphanSlices),
    seenSetPeakBytes: seenSetPeakBytes(users / slices),
    readUnits: batchReads + scanReads,
    dynamoDollars,
    lambdaDollars,
    fewest,
  };
}
