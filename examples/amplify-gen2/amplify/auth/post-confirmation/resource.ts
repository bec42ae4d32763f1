import { defineFunction } from '@aws-amplify/backend';

export const postConfirmation = defineFunction({
  name: 'post-confirmation',
  // In the auth stack: the user pool refers to its triggers, so a trigger in a stack of its
  // own would make the two stacks depend on each other.
  resourceGroupName: 'auth',
  runtime: 24,
  timeoutSeconds: 5,
  environment: {
    // TABLE_NAME is set in backend.ts, from the table it makes.
    WELCOME_FROM: 'hello@example.com',
  },
});
