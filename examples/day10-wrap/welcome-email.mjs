// The team's "Day10" function: a PostConfirmation handler that sends a welcome email through
// SES, written long before the profile table. It stays the team's code; two lines differ
// from what ran before, each marked "Changed".
import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';

const ses = new SESClient({});
const from = process.env.SOURCE_EMAIL;
if (!from) throw new Error('Environment variable SOURCE_EMAIL must be set.');

/** @param {import('aws-lambda').PostConfirmationTriggerEvent} event */
export const handler = async (event) => {
  // Changed: the original logged the whole event here, which put every user's email address
  // and phone number in CloudWatch.
  const { email, name } = event.request.userAttributes;
  if (!email) return event;

  // Changed: the original wrapped this send in a try/catch that only logged the error, so a
  // failed welcome was lost. Letting it throw tells the wrapper the welcome is not done: a
  // later delivery, or reconcile, sends it.
  await ses.send(
    new SendEmailCommand({
      Source: from,
      Destination: { ToAddresses: [email] },
      Message: {
        Subject: { Data: 'Welcome aboard!' },
        Body: { Text: { Data: `Hello ${name || 'there'}, thank you for signing up. We hope you enjoy the service!` } },
      },
    }),
  );
  return event;
};
