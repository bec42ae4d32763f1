// The orphan check for pools bigger than one invocation, as planned (README, "Orphans in
// big pools"): the pool is listed slice by slice (a slice: the users whose `sub` starts with
// one of a run of two-hex-digit prefixes), each slice's `sub`s are held while one table scan
// keeps the rows of that slice, and the rows no listing saw are confirmed one by one. A
// slice is listed and scanned within one invocation, so nothing but its position outlives
// an invocation.
//
// The figures are arithmetic on the measured rate and memory and on the assumptions below,
// each named; DynamoDB and Lambda prices are on-demand, us-east-1.

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

/**
 * Bytes the seen-`sub` set holds at its peak for `users` entries (reconcile/seenSubs.ts):
 * 17 bytes a slot, slots a power of two at least twice the entries, the old table and the
 * new side by side while it doubles.
 */
export function seenSetPeakBytes(users) {
  const slots = 2 ** Math.ceil(Math.log2(Math.max(16, 2 * users)));
  return 17 * (slots + slots / 2);
}

/**
 * The plan for a pool of `users`: slices, time, invocations, memory and cost of one full
 * check. A slice is a run of the 256 two-hex-digit `sub` prefixes (each listed as a stream of
 * its own, under the shared rate); the plan takes the number of slices (1, 2, 4 … 256) that
 * needs the fewest invocations, and of those the fewest table scans.
 */
export function orphanPlan(users, a = assumptions) {
  const tableBytes = users * a.rowBytes;
  const scanSeconds = tableBytes / a.scanBytesPerSecond;
  let best;
  for (let slices = 1; slices <= 256; slices *= 2) {
    const sliceSeconds = users / slices / a.usersPerSecond + scanSeconds;
    if (sliceSeconds > a.invocationSeconds) continue;
    const invocations = Math.ceil(slices / Math.floor(a.invocationSeconds / sliceSeconds));
    if (best === undefined || invocations < best.invocations) best = { slices, invocations };
  }
  if (best === undefined) throw new Error(`no slicing fits ${users} users in one invocation's time`);
  const { slices, invocations } = best;
  const sliceUsers = users / slices;
  const listingSeconds = users / a.usersPerSecond;
  const seconds = listingSeconds + slices * scanSeconds;
  // Reads: every row once by a consistent BatchGetItem (1 unit a row up to 4 KB), and one
  // eventually consistent scan of the whole table per slice (half a unit per 4 KB read).
  const batchReads = users;
  const scanReads = slices * Math.ceil(tableBytes / 4096) * 0.5;
  const dynamoDollars = ((batchReads + scanReads) / 1e6) * a.dollarsPerMillionReads;
  const lambdaDollars = seconds * a.lambdaMemoryGb * a.dollarsPerGbSecond + invocations * a.dollarsPerRequest;
  return {
    users,
    slices,
    sliceUsers,
    hours: seconds / 3600,
    listingHours: listingSeconds / 3600,
    scanMinutes: (slices * scanSeconds) / 60,
    invocations,
    seenSetPeakBytes: seenSetPeakBytes(sliceUsers),
    readUnits: batchReads + scanReads,
    dynamoDollars,
    lambdaDollars,
  };
}
