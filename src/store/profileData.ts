import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { MappingContext, Profile, TriggerUser } from '../types.js';
import { buildProfileAttributes, buildProfileAttributesForCognitoUser, type ProfileMapper } from './profileItem.js';

/*
 * The profile row as plain data, for the steps that merge it into an update (sign-in, admin
 * changes). Apart from profileItem.ts, which PostConfirmation uses to write the attribute
 * values as they are: its bundle need not require the unmarshaller for these.
 */

/**
 * {@link buildProfileAttributes} as plain data: what the row holds, read back as the SDK
 * reads an item (numbers as numbers, sets as `Set`s, binary as `Uint8Array`).
 *
 * @internal
 */
export function buildProfileItem(user: TriggerUser, mapper: ProfileMapper, context: MappingContext, partitionKey: string): Profile {
  return unmarshall(buildProfileAttributes(user, mapper, context, partitionKey));
}

/** {@link buildProfileAttributesForCognitoUser} as plain data. @internal */
export function buildProfileItemForCognitoUser(...args: Parameters<typeof buildProfileAttributesForCognitoUser>): Profile {
  return unmarshall(buildProfileAttributesForCognitoUser(...args));
}
