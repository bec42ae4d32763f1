// Synthesizes the backend as the Amplify CLI would, without deploying and without an AWS
// account: the backend identifier the CLI passes as CDK context is given here.
// Usage: `npx tsx synth.ts [outdir] [branch|sandbox]`; prints the templates' paths as JSON.
// `branch` is a deployment of a git branch (`ampx pipeline-deploy`); `sandbox` is
// `ampx sandbox`, where Amplify makes every resource, the table too, deleted with the sandbox.
import type { App } from 'aws-cdk-lib';

const deploymentType = process.argv[3] ?? 'branch';
process.env.CDK_CONTEXT_JSON = JSON.stringify({
  'amplify-backend-namespace': 'example',
  'amplify-backend-name': deploymentType === 'sandbox' ? 'sandbox' : 'main',
  'amplify-backend-type': deploymentType,
});
process.env.CDK_OUTDIR = process.argv[2] ?? 'cdk.out';

const { backend } = await import('./amplify/backend.js');
const assembly = (backend.stack.node.root as App).synth();
console.log(JSON.stringify({ outdir: assembly.directory, stacks: assembly.stacks.map((stack) => stack.templateFullPath) }));
