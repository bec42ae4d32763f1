// Diagnostic only, not a budget: the baseline plus the one thing that makes a create safe
// (attribute_not_exists). It shows how much of a warm gap is the emulator evaluating the
// condition rather than library code.
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';

const client = new DynamoDBClient({});

export const handler = async (event) => {
  const { sub, email, name, given_name: givenName, family_name: familyName } = event.request.userAttributes;
  const now = new Date().toISOString();
  await client.send(
    new PutItemCommand({
      TableName: process.env.DDB_TABLE_CONDITIONAL,
      Item: marshall(
        { userId: sub, username: event.userName, email, name, givenName, familyName, userPoolId: event.userPoolId, createdAt: now, updatedAt: now },
        { removeUndefinedValues: true },
      ),
      ConditionExpression: 'attribute_not_exists(#pk)',
      ExpressionAttributeNames: { '#pk': 'userId' },
    }),
  );
  return event;
};
