import { AdminConfirmSignUpCommand, SignUpCommand } from '@aws-sdk/client-cognito-identity-provider';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { expect, it } from 'vitest';
import { createPostConfirmationHandler } from '../../src/index.js';
import { applyEnv, startLocalStack } from '../../src/local/index.js';

// The README's local-stack example, as written there: a handler that builds its own client.
it('the README local-stack example works as written', async () => {
  const stack = await startLocalStack({ tableName: 'profiles' });
  const restoreEnv = applyEnv(stack.env);
  try {
    stack.setHandlers({ PostConfirmation: createPostConfirmationHandler({ table: 'profiles', logger: { info() {}, warn() {}, error() {} } }) });

    const { UserSub } = await stack.clients.cognito.send(new SignUpCommand({ ClientId: stack.clientId, Username: 'ada@example.com', Password: 'Passw0rd!' }));
    await stack.clients.cognito.send(new AdminConfirmSignUpCommand({ UserPoolId: stack.userPoolId, Username: 'ada@example.com' }));

    const { Item } = await stack.clients.dynamodb.send(new GetItemCommand({ TableName: 'profiles', Key: { userId: { S: UserSub! } } }));
    expect(Item?.email?.S).toBe('ada@example.com');
    expect(stack.invocations.filter((call) => call.trigger === 'PostConfirmation' && !call.errored)).toHaveLength(1);
  } finally {
    restoreEnv();
    await stack.stop();
  }
});
