// The control for the bundle check: with sesWelcomeEmail the SES client must show up.
import { createPostConfirmationHandler, sesWelcomeEmail } from 'cognito-profile-sync';

export const handler = createPostConfirmationHandler({
  table: process.env.DDB_TABLE,
  onWelcome: sesWelcomeEmail({ source: 'hello@example.com', subject: 'Welcome', text: 'Hi {{name}}' }),
});
