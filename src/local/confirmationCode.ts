import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { LocalStackError } from './errors.js';

/** A user as cognito-local stores it in `<dataDir>/<userPoolId>.json`. */
interface StoredUser {
  Username?: string;
  Attributes?: { Name?: string; Value?: string }[];
  ConfirmationCode?: string;
}

/** @internal */
export interface ReadCodeOptions {
  /** How long to keep retrying a file that is being rewritten. */
  readonly timeoutMs: number;
}

const RETRY_DELAY_MS = 20;

/**
 * The pending sign-up or reset code of a user, looked up by user name, `sub` or email.
 * cognito-local delivers codes nowhere readable; it keeps them on the user record in its
 * pool file, which it rewrites whole (`fs.writeFile`) on every change, so a read can catch
 * a truncated file: such reads are retried until `timeoutMs`.
 *
 * @internal
 */
export async function readConfirmationCode(
  dataDir: string,
  userPoolId: string,
  user: string,
  options: ReadCodeOptions,
): Promise<string> {
  const file = join(dataDir, `${userPoolId}.json`);
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    let users: Record<string, StoredUser>;
    try {
      users = (JSON.parse(await readFile(file, 'utf8')) as { Users?: Record<string, StoredUser> }).Users ?? {};
    } catch (error) {
      if (Date.now() >= deadline) {
        throw new LocalStackError(`Could not read cognito-local's pool file ${file}`, { cause: error });
      }
      await sleep(RETRY_DELAY_MS);
      continue;
    }
    const stored = findUser(users, user);
    if (!stored) throw new LocalStackError(`User pool ${userPoolId} has no user "${user}"`);
    if (!stored.ConfirmationCode) throw new LocalStackError(`User "${user}" has no pending confirmation code`);
    return stored.ConfirmationCode;
  }
}

function findUser(users: Record<string, StoredUser>, user: string): StoredUser | undefined {
  const wanted = user.toLowerCase();
  return (
    users[user] ??
    Object.values(users).find((stored) =>
      stored.Attributes?.some(
        ({ Name, Value }) => (Name === 'sub' && Value === user) || (Name === 'email' && Value?.toLowerCase() === wanted),
      ),
    )
  );
}
