// Amplify Gen2's "create a profile row on sign-up", with the library's guarantees: skips the
// forgot-password confirmation, writes the row once (conditionally), sends the welcome at
// most once, logs no personal data, and fails fast before Cognito's 5 s.
import { createPostConfirmationHandler, sesWelcomeEmail } from 'cognito-profile-sync';

export const handler = createPostConfirmationHandler({
  table: process.env.TABLE_NAME!,
  onWelcome: sesWelcomeEmail({
    source: process.env.WELCOME_FROM!,
    subject: 'Welcome, {{givenName|friend}}!',
    text: 'Dear {{name|member}}, thank you for signing up.',
  }),
});
