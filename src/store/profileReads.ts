import { BatchGetItemCommand, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { type BackoffOptions, pause } from '../backoff.js';
import { ProfileReadError } from '../errors.js';
import type { Profile } from '../types.js';
import { keyOf, sendWithBackoff } from './send.js';
import type { ResolvedTable } from './table.js';

/* Reconcile's reads of the profile table: consistent batch reads of a page, and the key scan. */

const BATCH_GET_LIMIT = 100;

/**
 * Reads the rows of these users with strongly consistent `BatchGetItem`s, so a row the
 * trigger has just written is seen. Throttled calls, and keys DynamoDB leaves unprocessed,
 * are tried again with backoff, up to `backoff.attempts` times. Whole items are read: a
 * projection would not lower the cost.
 *
 * @returns the rows found, by `sub`.
 * @internal
 */
export async function getProfiles(
  table: ResolvedTable,
  subs: readonly string[],
  signal: AbortSignal,
  backoff: Required<BackoffOptions>,
): Promise<Map<string, Profile>> {
  const rows = new Map<string, Profile>();
  for (let start = 0; start < subs.length; start += BATCH_GET_LIMIT) {
    let keys = subs.slice(start, start + BATCH_GET_LIMIT).map((sub) => keyOf(table, sub));
    for (let attempt = 1; keys.length > 0; attempt += 1) {
      if (attempt > backoff.attempts) {
        throw new ProfileReadError('batchGetProfiles', table.name, new Error(`${keys.length} keys still unprocessed`));
      }
      if (attempt > 1) await pause(attempt - 1, backoff, signal);
      const command = new BatchGetItemCommand({ RequestItems: { [table.name]: { Keys: keys, ConsistentRead: true } } });
      const output = await sendWithBackoff(table, 'batchGetProfiles', (client, options) => client.send(command, options), signal, backoff);
      for (const item of output.Responses?.[table.name] ?? []) {
        const row = unmarshall(item);
        rows.set(String(row[table.partitionKey]), row);
      }
      keys = output.UnprocessedKeys?.[table.name]?.Keys ?? [];
    }
  }
  return rows;
}

/** What the orphan check reads of a row. @internal */
export interface RowKey {
  readonly sub: string;
  /** Already marked with `deletedAt`. */
  readonly deleted: boolean;
  /** The row's `deletedAt`, when it is a string. */
  readonly deletedAt?: string | undefined;
  /**
   * Where the erasure of a deleted user stands: `none` (no erasure state), `begun` (claimed
   * or failed, not recorded) or `done` (`erasedAt`).
   */
  readonly erasure?: 'none' | 'begun' | 'done';
  readonly createdAt: string | undefined;
  /** The row's `userPoolId` as a string (whatever its type), `undefined` when it has none. */
  readonly userPoolId: string | undefined;
}

/** Which part of the table one scan reads. @internal */
export interface ScanScope {
  /** This scan's segment of `totalSegments` (a parallel scan), from 0. */
  readonly segment: number;
  readonly totalSegments: number;
  /** Only keys from `from` (included) to `to` (excluded), by a filter. */
  readonly keys?: { readonly from: string; readonly to: string } | undefined;
}

/**
 * Pages through the table (or one segment of it) reading the key, `deletedAt`, `createdAt`,
 * `userPoolId` and the erasure state, for the orphan check. Neither the projection nor the
 * key filter lowers a scan's cost: it reads (and bills) every whole item; they spare the
 * transfer and the parsing.
 *
 * @internal
 */
export async function* scanProfileKeys(
  table: ResolvedTable,
  signal: AbortSignal,
  backoff: Required<BackoffOptions>,
  scope: ScanScope = { segment: 0, totalSegments: 1 },
): AsyncGenerator<RowKey[]> {
  const { segment, totalSegments, keys } = scope;
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const command = new ScanCommand({
      TableName: table.name,
      ProjectionExpression: '#pk, #deletedAt, #createdAt, #userPoolId, #erasedAt, #erasureClaim, #erasureFailed',
      ExpressionAttributeNames: {
        '#pk': table.partitionKey,
        '#deletedAt': 'deletedAt',
        '#createdAt': 'createdAt',
        '#userPoolId': 'userPoolId',
        '#erasedAt': 'erasedAt',
        '#erasureClaim': 'erasureClaimExpiresAt',
        '#erasureFailed': 'erasureFailedAt',
      },
      ...(totalSegments > 1 && { Segment: segment, TotalSegments: totalSegments }),
      ...(keys && {
        FilterExpression: '#pk >= :from AND #pk < :to',
        ExpressionAttributeValues: { ':from': { S: keys.from }, ':to': { S: keys.to } },
      }),
      ...(startKey && { ExclusiveStartKey: startKey }),
    });
    const output = await sendWithBackoff(table, 'scanProfileKeys', (client, options) => client.send(command, options), signal, backoff);
    yield (output.Items ?? []).map((item) => {
      const row = unmarshall(item);
      return {
        sub: String(row[table.partitionKey]),
        deleted: row.deletedAt !== undefined,
        deletedAt: typeof row.deletedAt === 'string' ? row.deletedAt : undefined,
        erasure: row.erasedAt !== undefined ? 'done' : row.erasureClaimExpiresAt !== undefined || row.erasureFailedAt !== undefined ? 'begun' : 'none',
        createdAt: typeof row.createdAt === 'string' ? row.createdAt : undefined,
        userPoolId: row.userPoolId === undefined ? undefined : String(row.userPoolId),
      };
    });
    startKey = output.LastEvaluatedKey;
  } while (startKey !== undefined);
}
