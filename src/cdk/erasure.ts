import { Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ConfigurationError } from '../index.js';
import type { ProfileSyncErasureTable, ProfileSyncProps } from './props.js';

/** The erasure tables, checked. @internal */
export type ErasureSettings = { readonly tables: readonly ProfileSyncErasureTable[] };

const name = (value: unknown, option: string): void => {
  if (typeof value !== 'string' || value === '') throw new ConfigurationError(option, 'must be a non-empty attribute name');
};

/** Checks the `erasure` prop at synth, naming the prop at fault. @internal */
export function erasureSettings(props: ProfileSyncProps): ErasureSettings | undefined {
  const erasure = props.erasure;
  if (erasure === undefined) return undefined;
  if (typeof erasure !== 'object' || erasure === null || !Array.isArray(erasure.tables) || erasure.tables.length === 0) {
    throw new ConfigurationError('erasure.tables', 'must be a non-empty array of { table, partitionKey, sortKey?, index? }');
  }
  if (props.adminChanges === false && props.reconcile === false) {
    throw new ConfigurationError('erasure', 'needs adminChanges or reconcile: they are the functions that erase');
  }
  erasure.tables.forEach((entry, at) => {
    const option = `erasure.tables[${at}]`;
    if (typeof entry?.table?.tableArn !== 'string') throw new ConfigurationError(`${option}.table`, 'must be a dynamodb.ITable');
    if (props.table !== undefined && entry.table === props.table) {
      throw new ConfigurationError(`${option}.table`, 'is the profile table: its rows are closed by onDelete, not erased');
    }
    name(entry.partitionKey, `${option}.partitionKey`);
    if (entry.sortKey !== undefined) name(entry.sortKey, `${option}.sortKey`);
    if (entry.index !== undefined) {
      name(entry.index?.name, `${option}.index.name`);
      name(entry.index?.partitionKey, `${option}.index.partitionKey`);
    }
  });
  return { tables: erasure.tables };
}

/**
 * `ERASE_TABLES` for the ready admin-changes and reconcile handlers: the tables' names (tokens
 * resolved by CloudFormation) in the JSON `eraseFromTables` reads.
 *
 * @internal
 */
export function erasureEnvironment(scope: Construct, erasure: ErasureSettings | undefined): Record<string, string> {
  if (erasure === undefined) return {};
  const tables = erasure.tables.map(({ table, partitionKey, sortKey, index }) => ({
    table: table.tableName,
    partitionKey,
    ...(sortKey !== undefined && { sortKey }),
    ...(index !== undefined && { index: { name: index.name, partitionKey: index.partitionKey } }),
  }));
  return { ERASE_TABLES: Stack.of(scope).toJsonString(tables) };
}
