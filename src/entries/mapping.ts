/**
 * `cognito-profile-sync/mapping`: the attribute mappers alone, for CommonJS projects (see
 * `cognito-profile-sync/post-confirmation`).
 *
 * @module cognito-profile-sync/mapping
 */
export { combineMappers, customAttributes, defaultProfile, pickFields, renameFields } from '../mapping.js';
export type { AttributeMapper, MappingContext, Profile, UserAttributes } from '../types.js';
