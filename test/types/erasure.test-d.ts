import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expectTypeOf, it } from 'vitest';
import {
  type AdminChangeOptions,
  type AdminChangeResult,
  type EraseFromTablesOptions,
  eraseFromTables,
  type ErasedItems,
  type ErasureOutcome,
  type ErasureReason,
  type ReconcileOptions,
  type UserDeletedContext,
  type UserDeletedHandler,
} from '../../src/index.js';

describe('erasure types', () => {
  it('onUserDeleted takes the row and a context with the sub, the pool, the reason and a signal', () => {
    expectTypeOf<UserDeletedContext>().toHaveProperty('sub').toEqualTypeOf<string>();
    expectTypeOf<UserDeletedContext>().toHaveProperty('userPoolId').toEqualTypeOf<string>();
    expectTypeOf<UserDeletedContext>().toHaveProperty('reason').toEqualTypeOf<ErasureReason>();
    expectTypeOf<UserDeletedContext>().toHaveProperty('signal').toEqualTypeOf<AbortSignal>();
    expectTypeOf<ErasureReason>().toEqualTypeOf<'user-deleted' | 'orphan' | 'pending'>();
    expectTypeOf<AdminChangeOptions>().toHaveProperty('onUserDeleted').toEqualTypeOf<UserDeletedHandler | undefined>();
    expectTypeOf<ReconcileOptions>().toHaveProperty('onUserDeleted').toEqualTypeOf<UserDeletedHandler | undefined>();
    expectTypeOf<AdminChangeResult>().toHaveProperty('erasure').toEqualTypeOf<ErasureOutcome | undefined>();
  });

  it('eraseFromTables makes an onUserDeleted, with a client or a client config, not both', () => {
    const erase = eraseFromTables([{ table: 'orders', partitionKey: 'userId', sortKey: 'orderId' }]);
    expectTypeOf(erase).toMatchTypeOf<UserDeletedHandler>();
    expectTypeOf(erase).returns.resolves.toEqualTypeOf<ErasedItems>();
    expectTypeOf({ client: new DynamoDBClient({}) }).toMatchTypeOf<EraseFromTablesOptions>();
    expectTypeOf({ clientConfig: { region: 'eu-west-1' } }).toMatchTypeOf<EraseFromTablesOptions>();
    expectTypeOf({ client: new DynamoDBClient({}), clientConfig: {} }).not.toMatchTypeOf<EraseFromTablesOptions>();
  });
});
