import { InvalidEventError } from '../errors.js';

/*
 * Reading the records of a Kinesis or SQS batch: which record it is (the identifier Lambda
 * wants back for a failure) and the EventBridge event it carries, or why it carries none.
 * A record's content is never quoted in a reason: it can hold anything, personal data too.
 */

/** Where a batch came from, as Lambda names it in each record's `eventSource`. @internal */
export type BatchSource = 'aws:kinesis' | 'aws:sqs';

/** One record of a batch, read. @internal */
export type BatchRecord =
  | { readonly kind: 'event'; readonly id: string; readonly source: BatchSource; readonly event: unknown }
  | { readonly kind: 'malformed'; readonly id: string | undefined; readonly source: BatchSource | undefined; readonly problem: string };

/** Strict base64 (Node's decoder skips what it does not know, so it would accept anything). */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const record = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.length > 0 ? value : undefined);

/** The JSON object in `payload`, or what is wrong with it. */
function parseObject(payload: string, what: string): { event: unknown } | { problem: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return { problem: `${what} is not JSON` };
  }
  return record(parsed) ? { event: parsed } : { problem: `${what} is not a JSON object` };
}

function readKinesis(payload: Record<string, unknown>): BatchRecord {
  const id = text(payload.sequenceNumber);
  const malformed = (problem: string): BatchRecord => ({ kind: 'malformed', id, source: 'aws:kinesis', problem });
  if (id === undefined) return malformed('kinesis.sequenceNumber is missing');
  const data = payload.data;
  if (typeof data !== 'string' || !BASE64.test(data)) return malformed('kinesis.data is not base64');
  const parsed = parseObject(Buffer.from(data, 'base64').toString('utf8'), 'kinesis.data');
  return 'problem' in parsed ? malformed(parsed.problem) : { kind: 'event', id, source: 'aws:kinesis', event: parsed.event };
}

function readSqs(raw: Record<string, unknown>): BatchRecord {
  const id = text(raw.messageId);
  const malformed = (problem: string): BatchRecord => ({ kind: 'malformed', id, source: 'aws:sqs', problem });
  if (id === undefined) return malformed('messageId is missing');
  if (typeof raw.body !== 'string') return malformed('body is missing');
  const parsed = parseObject(raw.body, 'body');
  return 'problem' in parsed ? malformed(parsed.problem) : { kind: 'event', id, source: 'aws:sqs', event: parsed.event };
}

/**
 * Reads one record of a Kinesis Data Streams batch (`kinesis.data`: the base64 of the
 * EventBridge event's JSON) or of an SQS batch (`body`: the event's JSON).
 *
 * @internal
 */
export function readBatchRecord(value: unknown): BatchRecord {
  const raw = record(value);
  if (raw === undefined) return { kind: 'malformed', id: undefined, source: undefined, problem: 'the record is not an object' };
  const kinesis = record(raw.kinesis);
  if (raw.eventSource === 'aws:kinesis' || (raw.eventSource === undefined && kinesis !== undefined)) {
    return kinesis === undefined ? { kind: 'malformed', id: undefined, source: 'aws:kinesis', problem: 'kinesis is missing' } : readKinesis(kinesis);
  }
  if (raw.eventSource === 'aws:sqs' || (raw.eventSource === undefined && 'body' in raw)) return readSqs(raw);
  return { kind: 'malformed', id: undefined, source: undefined, problem: 'not a Kinesis or SQS record' };
}

/**
 * The records of a batch. Anything but `{ Records: [...] }` is not a batch at all (a
 * function wired to the wrong source): that is refused whole, with a typed error.
 *
 * @internal
 */
export function recordsOf(event: unknown): readonly unknown[] {
  const records = record(event)?.Records;
  if (!Array.isArray(records)) {
    throw new InvalidEventError('Records', 'must be the array of records of a Kinesis or SQS batch');
  }
  return records;
}
