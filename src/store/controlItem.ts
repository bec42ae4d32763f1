import { DeleteItemCommand, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { ProfileReadError } from '../errors.js';
import type { Profile } from '../types.js';
import { keyOf, marshallOptions, send } from './send.js';
import type { ResolvedTable } from './table.js';

/**
 * Reads a bookkeeping item of the library that lives in the profile table under a key no
 * `sub` can take (it starts with `#`), such as the scheduled reconcile's cursor.
 *
 * @internal
 */
export async function getControlItem(table: ResolvedTable, key: string, signal: AbortSignal): Promise<Profile | undefined> {
  const command = new GetItemCommand({ TableName: table.name, Key: keyOf(table, key), ConsistentRead: true });
  const output = await send(table, 'getControlItem', (client, options) => client.send(command, options), signal, ProfileReadError);
  return output.Item ? unmarshall(output.Item) : undefined;
}

/** Writes (or, given `undefined`, deletes) a bookkeeping item of the library. @internal */
export async function putControlItem(
  table: ResolvedTable,
  key: string,
  fields: Profile | undefined,
  signal: AbortSignal,
): Promise<void> {
  if (fields === undefined) {
    const command = new DeleteItemCommand({ TableName: table.name, Key: keyOf(table, key) });
    await send(table, 'deleteControlItem', (client, options) => client.send(command, options), signal);
    return;
  }
  const item = marshall({ ...fields, [table.partitionKey]: key }, marshallOptions);
  const command = new PutItemCommand({ TableName: table.name, Item: item });
  await send(table, 'putControlItem', (client, options) => client.send(command, options), signal);
}
