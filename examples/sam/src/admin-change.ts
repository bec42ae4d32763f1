// EventBridge target for CloudTrail's Cognito user-pool API calls: console and admin-API
// edits, disables, enables and deletions reach the profile row.
import { createAdminChangeHandler } from 'cognito-profile-sync';

export const handler = createAdminChangeHandler({
  table: process.env.DDB_TABLE!,
  userPoolId: process.env.USER_POOL_ID!,
  // 'mark' (the default) sets deletedAt; 'delete' removes the row. The library rejects any
  // other value at cold start.
  onDelete: process.env.ON_DELETE as 'mark' | 'delete' | undefined,
});
