/**
 * `cognito-profile-sync/mapping`: the attribute mappers alone, for CommonJS projects, and the
 * mappers `cognito-profile-sync/post-confirmation` takes: `profileMapper(fn)` and the helpers.
 *
 * @module cognito-profile-sync/mapping
 */
export { combineMappers, customAttributes, defaultProfile, pickFields, profileMapper, renameFields } from '../mapping.js';
export type { ProfileMapper } from '../store/profileItem.js';
export type { AttributeMapper, MappingContext, Profile, UserAttributes } from '../types.js';
