// PreTokenGeneration with the same mapping: a name changed after sign-up reaches the row at
// the next sign-in. Every handler that writes the row must share one mapper, or each would
// write its own field names.
import { createPreTokenGenerationHandler } from 'cognito-profile-sync';
import { memberProfile } from './mapper.js';

export const handler = createPreTokenGenerationHandler({
  table: process.env.DDB_TABLE!,
  mapAttributes: memberProfile,
});
