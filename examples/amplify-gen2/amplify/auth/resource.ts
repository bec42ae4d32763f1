import { defineAuth } from '@aws-amplify/backend';
import { postConfirmation } from './post-confirmation/resource';
import { preTokenGeneration } from './pre-token-generation/resource';

/** Email sign-in, with the profile sync's two triggers (one function per trigger). */
export const auth = defineAuth({
  loginWith: { email: true },
  triggers: { postConfirmation, preTokenGeneration },
});
