#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ProfileSyncStack } from '../lib/profile-sync-stack.js';

const app = new App();
// `cdk deploy -c welcomeFrom=hello@example.com -c onDelete=delete -c orphans=mark -c eraseOrders=true`
const welcomeFrom = app.node.tryGetContext('welcomeFrom') as string | undefined;
const onDelete = app.node.tryGetContext('onDelete') as 'mark' | 'delete' | undefined;
const orphans = app.node.tryGetContext('orphans') as 'report' | 'mark' | 'delete' | undefined;
const eraseOrders = String(app.node.tryGetContext('eraseOrders')) === 'true';

new ProfileSyncStack(app, 'CognitoProfileSyncExample', {
  ...(welcomeFrom ? { welcomeFrom } : {}),
  ...(onDelete ? { onDelete } : {}),
  ...(orphans ? { orphans } : {}),
  ...(eraseOrders ? { eraseOrders } : {}),
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});

// Every synth runs the AWS Solutions checks; the stack acknowledges, with a reason, each
// finding it accepts, so anything new fails the synth.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
