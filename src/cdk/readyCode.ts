import * as lambda from 'aws-cdk-lib/aws-lambda';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProfileSyncError } from '../index.js';

/** The functions the construct deploys, by their prop name. @internal */
export type FunctionName = 'postConfirmation' | 'preTokenGeneration' | 'adminChanges' | 'reconcile';

/** Each ready handler's folder under the package's `dist/functions/`: one `index.mjs`, nothing else. */
const READY_FOLDER: Readonly<Record<FunctionName, string>> = {
  postConfirmation: 'post-confirmation',
  preTokenGeneration: 'pre-token-generation',
  adminChanges: 'admin-changes',
  reconcile: 'reconcile',
};

/**
 * The package's root: the nearest folder upwards holding a package.json. From the built
 * `dist/cdk/` that is the installed package; from `src/cdk/` (the repository's tests) the
 * repository, whose `dist/` `npm run build` made.
 */
function packageRoot(): string {
  const start = dirname(fileURLToPath(import.meta.url));
  for (let folder = start; ; folder = dirname(folder)) {
    if (existsSync(join(folder, 'package.json'))) return folder;
    if (dirname(folder) === folder) return start;
  }
}

/**
 * A ready handler as Lambda code: the package ships each one bundled (ESM, minified, the
 * AWS SDK left to the runtime), so deploying it needs neither esbuild nor Docker.
 *
 * @internal
 */
export function readyCode(name: FunctionName): lambda.Code {
  const folder = join(packageRoot(), 'dist', 'functions', READY_FOLDER[name]);
  if (!existsSync(join(folder, 'index.mjs'))) {
    throw new ProfileSyncError(`the ready ${name} handler is missing (${folder}/index.mjs): is cognito-profile-sync built and installed whole?`);
  }
  return lambda.Code.fromAsset(folder);
}
