// Diagnostic only, not a budget: the seed handler with the SDK's cacheMiddleware turned on,
// as the library's own client has it. It shows how much of the CPU gap that option makes.
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';

const client = new DynamoDBClient({ cacheMiddleware: true });

export const handler = async (event) => {
  const { sub, email, name, given_name: givenName, family_name: familyName } = event.request.userAttributes;
  const now = new Date().toISOString();
  await client.send(
    new PutItemCommand({
      TableName: process.env.DDB_TABLE,
      Item: marshall(
        { userId: sub, username: event.userName, email, name, givenName, familyName, userPoolId: event.userPoolId, createdAt: now, updatedAt: now },
        { removeUndefinedValues: true },
      ),
    }),
  );
  return event;
};
