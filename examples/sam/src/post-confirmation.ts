// PostConfirmation trigger: creates the profile row once per user (a conditional PutItem)
// and, when the stack has a welcome sender, sends the welcome at most once.
import { createPostConfirmationHandler } from 'cognito-profile-sync';
import { welcomeOption } from './welcome.js';

export const handler = createPostConfirmationHandler({
  table: process.env.DDB_TABLE!,
  ...welcomeOption(),
});
