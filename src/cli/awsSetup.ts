/**
 * Region and credentials for a command's AWS clients, resolved once through the SDK's own
 * chains (flags, environment, shared config and credentials files, SSO, roles) and checked
 * before anything runs, so that a missing one is reported as such, with the next step,
 * rather than as the first API call's bare failure.
 */
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';

/** The region and credentials every client of the run shares. @internal */
export interface SharedClientConfig {
  region: () => Promise<string>;
  /** Left out when this SDK version resolves none up front: each client then uses the chain. */
  credentials?: CognitoIdentityProviderClient['config']['credentials'];
}

/** @internal */
export interface AwsSetup {
  readonly clientConfig: SharedClientConfig;
  /** The region once {@link AwsSetup.check} found it. */
  readonly region: string | undefined;
  /** Resolves the region and the credentials; what is missing and what to do, or nothing. */
  check(): Promise<string | undefined>;
  /** Cognito's estimate of the pool's size; nothing when it cannot say. */
  estimatedUsers(userPoolId: string): Promise<number | undefined>;
  close(): void;
}

/** What the command line says about where to look. @internal */
export interface AwsFlags {
  region?: string | undefined;
  profile?: string | undefined;
  userPoolId: string;
}

/** The generic last word of the SDK's credential chain, which names no cause. */
const NO_PROVIDER = 'Could not load credentials from any providers';

/**
 * The clients of the run take their region and credentials from this one client's, which
 * resolves each once (and refreshes expiring credentials) for all of them.
 *
 * @internal
 */
export async function awsSetup(flags: AwsFlags): Promise<AwsSetup> {
  const sdk = await import('@aws-sdk/client-cognito-identity-provider');
  const probe = new sdk.CognitoIdentityProviderClient({ maxAttempts: 1, ...(flags.region && { region: flags.region }) });
  const { credentials } = probe.config;
  let region: string | undefined;
  return {
    clientConfig: { region: () => probe.config.region(), ...(typeof credentials === 'function' && { credentials }) },
    get region() {
      return region;
    },
    async check() {
      try {
        region = await probe.config.region();
      } catch {
        return noRegion(flags);
      }
      if (typeof credentials !== 'function') return undefined;
      try {
        await credentials();
      } catch (error) {
        return noCredentials(flags, error);
      }
      return undefined;
    },
    async estimatedUsers(userPoolId) {
      try {
        const { UserPool } = await probe.send(new sdk.DescribeUserPoolCommand({ UserPoolId: userPoolId }), {
          abortSignal: AbortSignal.timeout(3000),
        });
        const estimate = UserPool?.EstimatedNumberOfUsers;
        return typeof estimate === 'number' && estimate > 0 ? estimate : undefined;
      } catch {
        return undefined; // no DescribeUserPool permission, say: the line shows counts only
      }
    },
    close: () => probe.destroy(),
  };
}

function noRegion({ profile, userPoolId }: AwsFlags): string {
  const fromPool = /^([a-z]{2}(?:-[a-z]+)+-\d+)_/.exec(userPoolId)?.[1];
  return (
    `No AWS region: pass --region${fromPool ? ` (the pool id says ${fromPool})` : ''}, set AWS_REGION, or set ` +
    (profile ? `region in profile "${profile}" of your AWS config (is the profile there?).` : 'region in your AWS config profile (--profile NAME).')
  );
}

function noCredentials({ profile }: AwsFlags, error: unknown): string {
  const { name, message } = error as { name?: unknown; message?: unknown };
  const said = typeof message === 'string' && message !== '' && message !== NO_PROVIDER ? ` (${String(name)}: ${message})` : '';
  return (
    `No AWS credentials${profile ? ` for profile "${profile}"` : ''}${said}. The SDK looked in the environment ` +
    '(AWS_ACCESS_KEY_ID, AWS_PROFILE), ~/.aws/credentials and ~/.aws/config (keys, SSO, roles, credential_process), ' +
    'a web identity token, and the container or instance role. Sign in (aws sso login, aws configure) or pass ' +
    '--profile NAME.'
  );
}
