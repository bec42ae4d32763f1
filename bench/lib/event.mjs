import { randomUUID } from 'node:crypto';

/** A PostConfirmation event as Cognito sends it, for a new user each time. */
export function confirmation() {
  const sub = randomUUID();
  return {
    version: '1',
    region: 'us-east-1',
    userPoolId: 'us-east-1_BENCH0001',
    userName: sub,
    callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: '1example23456789' },
    triggerSource: 'PostConfirmation_ConfirmSignUp',
    request: {
      userAttributes: {
        sub,
        'cognito:user_status': 'CONFIRMED',
        email_verified: 'true',
        email: `bench-${sub.slice(0, 8)}@example.com`,
        name: 'Bench User',
        given_name: 'Bench',
        family_name: 'User',
      },
    },
    response: {},
  };
}

/** A Lambda context with Cognito's 5 s. */
export function lambdaContext() {
  const startedAt = Date.now();
  return { awsRequestId: randomUUID(), getRemainingTimeInMillis: () => 5000 - (Date.now() - startedAt) };
}
