// The welcome email, shared by PostConfirmation and reconcile: reconcile finishes welcomes
// a confirmation left pending, through the same once-only claim, so both must send the same
// mail from the same address.
import { sesWelcomeEmail, type WelcomeSender } from 'cognito-profile-sync';

/**
 * The welcome step when the stack was deployed with a sender (`SOURCE_EMAIL`), else none:
 * the function's role may send mail from that address only, and without it holds no SES
 * permission at all.
 */
export function welcomeOption(): { onWelcome?: WelcomeSender } {
  const source = process.env.SOURCE_EMAIL;
  if (!source) return {};
  return {
    onWelcome: sesWelcomeEmail({
      source,
      subject: 'Welcome, {{givenName|friend}}!',
      text: 'Dear {{name|member}}, thank you for signing up.',
    }),
  };
}
