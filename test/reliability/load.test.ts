import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { PostConfirmationTriggerEvent } from 'aws-lambda';
import { Agent } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostConfirmationHandler, type Profile } from '../../src/index.js';
import { buildLambdaContext, buildPostConfirmationEvent } from '../../src/testing/index.js';
import { createActiveTable } from '../support/dynalite.js';
import { recordingLogger } from '../support/logger.js';
import { startDynaliteProcess, type DynaliteProcess } from './support/dynaliteProcess.js';

/*
 * Many confirmations at once against a real dynalite. In Lambda each delivery has its own
 * process; here a thousand share one, so the deadline is widened to keep the assertions
 * about the once-only protocol rather than about one process's queueing.
 */
const USERS = 1000;
const LOAD_DEADLINE_MS = 60_000;

let dynamo: DynaliteProcess;
let client: DynamoDBClient;
let tables = 0;

beforeAll(async () => {
  dynamo = await startDynaliteProcess();
  // A thousand requests queue for sockets in one process; the support client's 1 s connect
  // timeout would count that queueing as a dead server.
  // One connection per request, none kept alive: on a busy machine dynalite's process can be
  // held off the CPU for seconds, and a Node server that resumes runs its timers before it reads
  // its sockets, so it closes as idle (5 s keep-alive timeout) every kept connection a request
  // was sent on meanwhile. The SDK retries such resets, but here one client stands in for a
  // thousand Lambdas, and its single retry quota (50 retries after a reset) ran out at once.
  client = new DynamoDBClient({
    endpoint: dynamo.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    requestHandler: { httpAgent: new Agent({ keepAlive: false, maxSockets: 64 }), connectionTimeout: 30_000, requestTimeout: 30_000 },
  });
});
afterAll(async () => {
  client?.destroy();
  await dynamo?.stop();
});

function confirmations(count: number): PostConfirmationTriggerEvent[] {
  return Array.from({ length: count }, (_, index) => {
    const email = `load-${index}-${Math.random().toString(36).slice(2, 8)}@example.com`;
    // The user name is the email, as in pools where email is the sign-in name.
    return buildPostConfirmationEvent({ userName: email, userAttributes: { email, name: `Load User ${index}` } });
  });
}

/** A deterministic shuffle, so a failure replays with the same interleaving. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const result = [...items];
  let state = seed;
  const random = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = result.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [result[i], result[j]] = [result[j] as T, result[i] as T];
  }
  return result;
}

async function setUp() {
  const table = `load-${++tables}`;
  await createActiveTable(client, table);
  const welcomes = new Map<string, number>();
  const onWelcome = async (profile: Profile) => {
    const sub = profile.userId as string;
    welcomes.set(sub, (welcomes.get(sub) ?? 0) + 1);
  };
  const logger = recordingLogger();
  const handler = createPostConfirmationHandler({
    table: { name: table, client },
    onWelcome,
    logger,
    deadlineMs: LOAD_DEADLINE_MS,
    welcomeLeaseMs: 2 * LOAD_DEADLINE_MS, // a lease must outlast the deadline
  });
  // allSettled: a rejection must not leave requests in flight when dynalite stops.
  const deliver = async (events: PostConfirmationTriggerEvent[]) => {
    const settled = await Promise.allSettled(
      events.map((event) => handler(structuredClone(event), buildLambdaContext({ remainingTimeMs: LOAD_DEADLINE_MS }))),
    );
    expect(settled.filter(({ status }) => status === 'rejected')).toEqual([]);
  };
  return { table, welcomes, logger, deliver };
}

async function expectOneRowAndOneWelcomeEach(table: string, events: PostConfirmationTriggerEvent[], welcomes: Map<string, number>) {
  const rows = await scanAll(table);
  expect(rows).toHaveLength(events.length);
  const subs = events.map((event) => event.request.userAttributes.sub!);
  expect(new Set(rows.map((row) => row.userId))).toEqual(new Set(subs));
  expect(rows.filter((row) => typeof row.welcomeSentAt !== 'string')).toEqual([]);
  expect(rows.filter((row) => 'welcomeClaimId' in row)).toEqual([]);
  expect(welcomes.size).toBe(events.length);
  expect([...welcomes.values()].filter((count) => count !== 1)).toEqual([]);
}

/** Scan follows pages: dynalite, like DynamoDB, stops a scan page at 1 MB. */
async function scanAll(table: string): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  let start: Record<string, any> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
    rows.push(...(page.Items ?? []).map((item) => unmarshall(item)));
    start = page.LastEvaluatedKey;
  } while (start);
  return rows;
}

function expectNoEmailLogged(text: string, events: PostConfirmationTriggerEvent[]) {
  const leaked = events.map((event) => event.request.userAttributes.email!).filter((email) => text.includes(email));
  expect(leaked).toEqual([]);
}

describe('load against dynalite', () => {
  it(`${USERS} distinct confirmations delivered at once make ${USERS} rows and ${USERS} welcomes`, async () => {
    // Prepare
    const { table, welcomes, logger, deliver } = await setUp();
    const events = confirmations(USERS);

    // Act
    const startedAt = performance.now();
    await deliver(events);
    const durationMs = performance.now() - startedAt;

    // Assess
    await expectOneRowAndOneWelcomeEach(table, events, welcomes);
    const outcomes = logger.records.map(({ record }) => `${record.outcome}/${record.welcome}`);
    expect(outcomes.filter((outcome) => outcome === 'created/sent')).toHaveLength(USERS);
    expectNoEmailLogged(logger.text(), events);
    console.info(`[reliability] ${USERS} distinct concurrent confirmations: ${Math.round(durationMs)} ms`);
  }, 60_000);

  it(`the same ${USERS} each delivered three times, interleaved, still make ${USERS} rows and ${USERS} welcomes`, async () => {
    // Prepare
    const { table, welcomes, logger, deliver } = await setUp();
    const events = confirmations(USERS);
    const deliveries = shuffled([...events, ...events, ...events], 7);

    // Act
    const startedAt = performance.now();
    await deliver(deliveries);
    const durationMs = performance.now() - startedAt;

    // Assess
    await expectOneRowAndOneWelcomeEach(table, events, welcomes);
    const created = new Map<unknown, number>();
    for (const { record } of logger.records) {
      if (record.outcome === 'created') created.set(record.sub, (created.get(record.sub) ?? 0) + 1);
    }
    expect(created.size).toBe(USERS);
    expect([...created.values()].every((count) => count === 1)).toBe(true);
    expect(logger.records.filter(({ record }) => record.outcome === 'exists')).toHaveLength(2 * USERS);
    expect(logger.records.filter(({ level }) => level !== 'info')).toEqual([]);
    expectNoEmailLogged(logger.text(), events);
    console.info(`[reliability] ${3 * USERS} interleaved deliveries of ${USERS} users: ${Math.round(durationMs)} ms`);
  }, 60_000);
});
