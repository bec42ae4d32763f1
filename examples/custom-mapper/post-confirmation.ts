// PostConfirmation with the member mapping: the row is created with firstName/lastName.
import { createPostConfirmationHandler } from 'cognito-profile-sync';
import { memberProfile } from './mapper.js';

export const handler = createPostConfirmationHandler({
  table: process.env.DDB_TABLE!,
  mapAttributes: memberProfile,
});
