/**
 * The `/testing` batch builders against Powertools for AWS Lambda's parser schemas and what
 * Lambda sends for Kinesis and SQS event sources.
 */
import { createHash } from 'node:crypto';
import { EventBridgeSchema, KinesisDataStreamSchema, SqsSchema } from '@aws-lambda-powertools/parser/schemas';
import { describe, expect, it } from 'vitest';
import { buildCognitoApiCallEvent, buildKinesisStreamEvent, buildSqsEvent } from '../../src/testing/index.js';

const SUB = '0f0f0f0f-1111-2222-3333-444444444444';
const events = [
  buildCognitoApiCallEvent({ eventName: 'AdminUpdateUserAttributes', sub: SUB }),
  buildCognitoApiCallEvent({ eventName: 'AdminDeleteUser', sub: SUB }),
];

describe('buildKinesisStreamEvent', () => {
  it('passes Powertools KinesisDataStreamSchema, each record carrying its EventBridge event', () => {
    const batch = buildKinesisStreamEvent({ events });

    const parsed = KinesisDataStreamSchema.parse(batch);

    expect(parsed.Records.map((record) => EventBridgeSchema.parse(record.kinesis.data))).toEqual(events);
    expect(batch.Records[0]).toMatchObject({
      eventSource: 'aws:kinesis',
      eventName: 'aws:kinesis:record',
      awsRegion: 'us-east-1',
      eventSourceARN: 'arn:aws:kinesis:us-east-1:123456789012:stream/cognito-admin-changes',
      kinesis: { kinesisSchemaVersion: '1.0', partitionKey: SUB },
    });
  });

  it('numbers records in stream order across batches, with the shard in the event id', () => {
    const first = buildKinesisStreamEvent({ events, shardId: 'shardId-000000000003' });
    const second = buildKinesisStreamEvent({ events });

    const numbers = [...first.Records, ...second.Records].map((record) => record.kinesis.sequenceNumber);
    expect(numbers.map(BigInt)).toEqual([...numbers].map(BigInt).sort((a, b) => (a < b ? -1 : 1)));
    expect(new Set(numbers.map((number) => number.length)).size).toBe(1);
    expect(new Set(numbers).size).toBe(4);
    expect(first.Records[0]!.eventID).toBe(`shardId-000000000003:${numbers[0]}`);
  });

  it('keys a record without a sub by the event id, as EventBridge does by default, and sends a string as it is', () => {
    const noSub = buildCognitoApiCallEvent({ eventName: 'SignUp', sub: null });

    const batch = buildKinesisStreamEvent({ events: [noSub, 'not json'], streamArn: 'arn:aws:kinesis:eu-west-1:210987654321:stream/s' });

    expect(batch.Records[0]!.kinesis.partitionKey).toBe(noSub.id);
    expect(Buffer.from(batch.Records[1]!.kinesis.data, 'base64').toString()).toBe('not json');
    expect(batch.Records[1]).toMatchObject({ awsRegion: 'eu-west-1', invokeIdentityArn: 'arn:aws:iam::210987654321:role/lambda-kinesis-role' });
  });
});

describe('buildSqsEvent', () => {
  it('passes Powertools SqsSchema, each body an EventBridge event, with its MD5', () => {
    const batch = buildSqsEvent({ events });

    const parsed = SqsSchema.parse(batch);

    expect(parsed.Records.map((record) => EventBridgeSchema.parse(JSON.parse(record.body)))).toEqual(events);
    expect(batch.Records[0]!.md5OfBody).toBe(createHash('md5').update(batch.Records[0]!.body).digest('hex'));
    expect(batch.Records[0]!.attributes).not.toHaveProperty('MessageGroupId');
    expect(new Set(batch.Records.map((record) => record.messageId)).size).toBe(2);
  });

  it('groups the messages of a FIFO queue by sub, deduplicated by event id, in sequence', () => {
    const batch = buildSqsEvent({ events, queueArn: 'arn:aws:sqs:eu-west-1:123456789012:changes.fifo' });

    expect(SqsSchema.parse(batch).Records).toHaveLength(2);
    expect(batch.Records.map((record) => record.attributes.MessageGroupId)).toEqual([SUB, SUB]);
    expect(batch.Records.map((record) => record.attributes.MessageDeduplicationId)).toEqual(events.map((event) => event.id));
    const [first, second] = batch.Records.map((record) => BigInt(record.attributes.SequenceNumber!));
    expect(second! > first!).toBe(true);
    expect(batch.Records[0]!.awsRegion).toBe('eu-west-1');
  });
});
