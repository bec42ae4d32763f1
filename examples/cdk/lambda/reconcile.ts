// Scheduled reconcile: pages through the pool, creates missing rows, repairs drifted
// Cognito-owned fields, reports (or marks, or deletes) rows whose user is gone, and finishes
// welcomes left pending. A run cut short by the Lambda time limit resumes from the cursor it
// keeps in the table (`#reconcile-cursor`) on the next run.
import { createReconcileHandler } from 'cognito-profile-sync';
import { welcomeOption } from './welcome.js';

export const handler = createReconcileHandler({
  userPoolId: process.env.USER_POOL_ID!,
  table: process.env.DDB_TABLE!,
  // 'report' (the stack's default) only counts orphans; 'mark' sets deletedAt; 'delete'
  // removes them, and only then does the role hold DeleteItem on profile rows.
  orphans: process.env.ORPHANS as 'report' | 'mark' | 'delete' | undefined,
  ...welcomeOption(),
});
