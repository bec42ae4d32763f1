// The Day10 function with the profile table added: one import and one line. The team's
// handler becomes the once-only welcome step: it never runs on a forgot-password
// confirmation, never twice for one user; if it threw, a later delivery or reconcile runs it.
import { withProfileSync } from 'cognito-profile-sync';
import { handler as sendWelcomeEmail } from './welcome-email.mjs';

// An unset DDB_TABLE fails the cold start with a ConfigurationError naming `table`.
const table = /** @type {string} */ (process.env.DDB_TABLE);

export const handler = withProfileSync({ table, runExisting: 'as-welcome' })(sendWelcomeEmail);
