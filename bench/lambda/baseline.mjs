// The usual hand-written handler (seed 004's approach), written here as the yardstick:
// one unconditional PutItem of the marshalled attributes, nothing else.
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';

const client = new DynamoDBClient({});

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
