// The control for the bundle check: with sesWelcomeEmail the SES client must show up.
import { createPostConfirmationHandler } from 'cognito-profile-sync/post-confirmation';
import { sesWelcomeEmail } from 'cognito-profile-sync/welcome';

export const handler = createPostConfirmationHandler({
  table: process.env.DDB_TABLE,
  onWelcome: sesWelcomeEmail({ source: 'hello@example.com', subject: 'Welcome', text: 'Hi {{name}}' }),
});
