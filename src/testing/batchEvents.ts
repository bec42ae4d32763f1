import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { KinesisStreamEvent, KinesisStreamRecord, SQSEvent, SQSRecord } from 'aws-lambda';
import type { CognitoApiCallEvent } from '../adminChanges.js';

/*
 * Kinesis and SQS batches as Lambda delivers them when an EventBridge rule (or a pipe) puts
 * CloudTrail's Cognito events on the stream or queue: the record fields Lambda sends, the
 * event's JSON as the payload, and the sub as the partition key or message group.
 */

/** What a record carries: an event (sent as its JSON), or a payload sent as it is. */
export type BatchPayload = CognitoApiCallEvent | string;

/** Options of {@link buildKinesisStreamEvent}. */
export interface KinesisStreamEventOptions {
  /**
   * One record each, in stream order. A string is the record's payload as it is (for a
   * malformed record); to send data that is not even base64, change `kinesis.data` after.
   */
  events: readonly BatchPayload[];
  /** @default 'arn:aws:kinesis:us-east-1:123456789012:stream/cognito-admin-changes' */
  streamArn?: string;
  /** @default 'shardId-000000000000' */
  shardId?: string;
  /**
   * The partition key of an event's record.
   * @default the event's `detail.additionalEventData.sub` (the rule's `PartitionKeyPath`), else its `id`
   */
  partitionKey?: (event: CognitoApiCallEvent) => string;
}

/** Options of {@link buildSqsEvent}. */
export interface SqsEventOptions {
  /** One message each, in queue order. A string is the message body as it is. */
  events: readonly BatchPayload[];
  /**
   * The queue; a name ending in `.fifo` is a FIFO queue, whose messages carry
   * `MessageGroupId`, `MessageDeduplicationId` and `SequenceNumber`.
   * @default 'arn:aws:sqs:us-east-1:123456789012:cognito-admin-changes'
   */
  queueArn?: string;
  /**
   * A FIFO message's group.
   * @default the event's `detail.additionalEventData.sub`, else `'cognito-admin-changes'`
   */
  messageGroupId?: (event: CognitoApiCallEvent) => string;
}

const regionOfArn = (arn: string) => arn.split(':')[3] || 'us-east-1';
const accountOfArn = (arn: string) => arn.split(':')[4] || '123456789012';
const subOf = (event: CognitoApiCallEvent) => {
  const sub = event.detail?.additionalEventData?.sub;
  return typeof sub === 'string' && sub.length > 0 ? sub : undefined;
};
const payloadText = (payload: BatchPayload) => (typeof payload === 'string' ? payload : JSON.stringify(payload));

/** Sequence numbers grow across every batch built, as a shard's do; all have one length. */
let kinesisSequence = 49_590_338_271_490_256_608_559_692_538_361_571_095_921_575_989_136_588_898n;
let sqsSequence = 18_849_496_460_467_696_128n;

/**
 * A Kinesis Data Streams batch (`KinesisStreamEvent`) whose records carry EventBridge
 * events, base64-encoded, with sequence numbers in order and the `sub` as partition key.
 *
 * @example
 * ```ts
 * const batch = buildKinesisStreamEvent({
 *   events: [buildCognitoApiCallEvent({ eventName: 'AdminDisableUser', sub })],
 * });
 * const { batchItemFailures } = await handler(batch);
 * ```
 */
export function buildKinesisStreamEvent(options: KinesisStreamEventOptions): KinesisStreamEvent {
  const streamArn = options.streamArn ?? 'arn:aws:kinesis:us-east-1:123456789012:stream/cognito-admin-changes';
  const shardId = options.shardId ?? 'shardId-000000000000';
  const keyOf = options.partitionKey ?? ((event: CognitoApiCallEvent) => subOf(event) ?? event.id);
  const Records = options.events.map((payload): KinesisStreamRecord => {
    kinesisSequence += 1n;
    const sequenceNumber = kinesisSequence.toString();
    return {
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: typeof payload === 'string' ? randomUUID() : keyOf(payload),
        sequenceNumber,
        data: Buffer.from(payloadText(payload), 'utf8').toString('base64'),
        approximateArrivalTimestamp: Date.now() / 1000,
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `${shardId}:${sequenceNumber}`,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: `arn:aws:iam::${accountOfArn(streamArn)}:role/lambda-kinesis-role`,
      awsRegion: regionOfArn(streamArn),
      eventSourceARN: streamArn,
    };
  });
  return { Records };
}

/**
 * An SQS batch (`SQSEvent`) whose message bodies are EventBridge events; from a FIFO queue
 * (`queueArn` ending in `.fifo`), grouped by `sub`.
 *
 * @example
 * ```ts
 * const batch = buildSqsEvent({
 *   queueArn: 'arn:aws:sqs:us-east-1:123456789012:admin-changes.fifo',
 *   events: [buildCognitoApiCallEvent({ eventName: 'AdminUpdateUserAttributes', sub })],
 * });
 * ```
 */
export function buildSqsEvent(options: SqsEventOptions): SQSEvent {
  const queueArn = options.queueArn ?? 'arn:aws:sqs:us-east-1:123456789012:cognito-admin-changes';
  const fifo = queueArn.endsWith('.fifo');
  const groupOf = options.messageGroupId ?? ((event: CognitoApiCallEvent) => subOf(event) ?? 'cognito-admin-changes');
  const Records = options.events.map((payload): SQSRecord => {
    const body = payloadText(payload);
    const sentAt = Date.now();
    sqsSequence += 1n;
    return {
      messageId: randomUUID(),
      receiptHandle: `AQEB${randomBytes(48).toString('base64')}`,
      body,
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: String(sentAt),
        SenderId: 'AIDAIENQZJOLO23YVJ4VO',
        ApproximateFirstReceiveTimestamp: String(sentAt + 2),
        ...(fifo && {
          SequenceNumber: sqsSequence.toString(),
          MessageGroupId: typeof payload === 'string' ? 'cognito-admin-changes' : groupOf(payload),
          MessageDeduplicationId: typeof payload === 'string' ? randomUUID() : payload.id,
        }),
      },
      messageAttributes: {},
      md5OfBody: createHash('md5').update(body).digest('hex'),
      eventSource: 'aws:sqs',
      eventSourceARN: queueArn,
      awsRegion: regionOfArn(queueArn),
    };
  });
  return { Records };
}
