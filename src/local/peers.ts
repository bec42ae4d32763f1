import { createRequire } from 'node:module';
import { LocalStackError } from './errors.js';

/**
 * Loads an optional peer dependency at run time. The specifier is a variable on purpose:
 * bundlers leave the import alone, so the emulators are never bundled into the package and
 * are only needed by users who start a local stack.
 *
 * @param specifier What to import: a package or a file inside one.
 * @param packageName The package to tell the user to install when it is missing.
 * @internal
 */
export async function importPeer<T>(specifier: string, packageName: string): Promise<T> {
  return importWith<T>(() => import(specifier), specifier, packageName);
}

/**
 * Loads a JSON file of an optional peer dependency with `require`, resolved from this
 * file as `import()` resolves: an `import()` of JSON needs an import attribute, whose
 * syntax differs between the Node versions the package supports.
 *
 * @internal
 */
export async function importJsonPeer<T>(specifier: string, packageName: string): Promise<T> {
  return importWith<T>(async () => requireHere()(specifier), specifier, packageName);
}

/** `require` relative to this file, in both builds: CommonJS has `__filename`, ESM `import.meta.url`. */
function requireHere(): NodeJS.Require {
  return createRequire(typeof __filename === 'string' ? __filename : import.meta.url);
}

async function importWith<T>(load: () => Promise<unknown>, specifier: string, packageName: string): Promise<T> {
  try {
    return (await load()) as T;
  } catch (error) {
    if (isMissingPackage(error, packageName)) {
      throw new LocalStackError(
        `cognito-profile-sync/local needs the optional peer dependency "${packageName}": ` +
          `npm install --save-dev ${packageName}`,
        { cause: error },
      );
    }
    throw new LocalStackError(
      `cognito-profile-sync/local could not load "${specifier}" (from "${packageName}"); ` +
        'an installed version it was not written for may have moved or removed it',
      { cause: error },
    );
  }
}

function isMissingPackage(error: unknown, packageName: string): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  // ESM says "Cannot find package 'x'", CommonJS says "Cannot find module 'x'"; a missing
  // file inside an installed package names the file's path instead, so it does not match.
  return (
    (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
    typeof message === 'string' &&
    (message.includes(`'${packageName}'`) || message.includes(`'${packageName}/`))
  );
}

/**
 * One export of a module namespace. A CommonJS module imported from ESM (the emulators are
 * CommonJS) shows its exports either as named exports or only on `default`, depending on
 * how the module was written and who loads it; this looks in both places.
 *
 * @internal
 */
export function exportOf<T>(namespace: unknown, name: string, packageName: string): T {
  const ns = namespace as Record<string, unknown> & { default?: Record<string, unknown> };
  const value = ns[name] ?? ns.default?.[name];
  if (value === undefined) {
    throw new LocalStackError(`"${packageName}" has no export "${name}"; is it a version cognito-profile-sync/local supports?`);
  }
  return value as T;
}

/**
 * The function a CommonJS module exports as its default: `module.exports = fn` or an
 * `exports.default = fn` compiled from ESM (which Node shows as `default.default`).
 *
 * @internal
 */
export function defaultFunctionOf<T extends (...args: never[]) => unknown>(namespace: unknown, packageName: string): T {
  const outer = (namespace as { default?: unknown }).default;
  if (typeof outer === 'function') return outer as T;
  const inner = (outer as { default?: unknown } | undefined)?.default;
  if (typeof inner === 'function') return inner as T;
  throw new LocalStackError(`"${packageName}" has no default export function; is it a version cognito-profile-sync/local supports?`);
}
