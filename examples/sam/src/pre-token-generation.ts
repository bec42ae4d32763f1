// PreTokenGeneration trigger: at each sign-in, upserts the Cognito-owned fields and
// `lastLoginAt`, creating the row for users who never fired PostConfirmation (AdminCreateUser).
import { createPreTokenGenerationHandler } from 'cognito-profile-sync';

export const handler = createPreTokenGenerationHandler({
  table: process.env.DDB_TABLE!,
});
