// At each sign-in: keeps the row in step (and creates it for users made with AdminCreateUser,
// who never confirm), and adds claims from the row to the tokens. A profile-store failure
// never blocks the sign-in.
import { createPreTokenGenerationHandler } from 'cognito-profile-sync';

export const handler = createPreTokenGenerationHandler({
  table: process.env.TABLE_NAME!,
  // V2_0 events (set in backend.ts) take access token claims too.
  accessTokenClaims: { 'member:since': 'createdAt' },
});
