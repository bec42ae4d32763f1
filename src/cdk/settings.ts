import { Token } from 'aws-cdk-lib';
import { ConfigurationError, isReservedClaim } from '../index.js';
import { isSliceCount } from '../reconcile/slices.js';
import { erasureSettings, type ErasureSettings } from './erasure.js';
import type { ProfileSyncHandlerEntry, ProfileSyncProps } from './props.js';

/** The props, checked, with their defaults filled in. @internal */
export interface ProfileSyncSettings {
  readonly partitionKey: string;
  readonly welcome?: {
    readonly from: string;
    /** The bare address, for the `ses:FromAddress` condition (a display name is not part of it). */
    readonly fromAddress: string;
    readonly subject: string;
    readonly text?: string;
    readonly html?: string;
  };
  readonly preTokenGeneration?: {
    readonly version: 'V1_0' | 'V2_0' | 'V3_0';
    readonly claims?: Readonly<Record<string, string>>;
    readonly accessTokenClaims?: Readonly<Record<string, string>>;
  };
  readonly adminChanges?: { readonly onDelete: 'mark' | 'delete' };
  readonly reconcile?: { readonly schedule: string; readonly orphans: 'report' | 'mark' | 'delete'; readonly orphanSlices?: number };
  readonly erasure?: ErasureSettings;
}

const VERSIONS = ['V1_0', 'V2_0', 'V3_0'] as const;

/** The handler checks it again at cold start; here a wrong value fails the synth instead. */
function sliceCount(value: unknown): number {
  if (!isSliceCount(value)) throw new ConfigurationError('reconcile.orphanSlices', 'must be a power of two from 1 to 256 (1, 2, 4 … 256)');
  return value;
}
const SCHEDULE = /^(rate|cron|at)\(.+\)$/;
const LINE_BREAK = /[\r\n]/;
/** `Name <address>` or a bare address; what SES's `ses:FromAddress` compares is the address. */
const SENDER = /^(?:[^<>]*<\s*([^<>\s]+@[^<>\s]+)\s*>|([^<>\s]+@[^<>\s]+))$/;
const HANDLER_NAMES = ['postConfirmation', 'preTokenGeneration', 'adminChanges', 'reconcile'];

function choice<T extends string>(value: unknown, allowed: readonly T[], fallback: T, option: string): T {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new ConfigurationError(option, `must be ${allowed.map((item) => `'${item}'`).join(', ')}`);
  }
  return value as T;
}

function section<T extends object>(value: T | false | undefined, option: string): T | undefined | false {
  if (value === false) return false;
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null) throw new ConfigurationError(option, 'must be an object, or false to turn it off');
  return value;
}

function claims(value: unknown, option: string): Readonly<Record<string, string>> | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigurationError(option, 'must be an object of claim name to profile field name');
  }
  for (const [name, field] of Object.entries(value)) {
    // Checked here, at synth: the handler would refuse it at cold start, failing every sign-in.
    if (name === '' || isReservedClaim(name)) throw new ConfigurationError(`${option}.${name}`, 'is a claim Cognito reserves (or empty) and a trigger cannot set');
    if (typeof field !== 'string' || field === '') throw new ConfigurationError(`${option}.${name}`, 'must be a profile field name');
  }
  return value as Record<string, string>;
}

function welcome(value: ProfileSyncProps['welcome']): ProfileSyncSettings['welcome'] {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null) throw new ConfigurationError('welcome', 'must be an object { from, subject, text?, html? }');
  const { from, subject, text, html } = value;
  if (typeof from !== 'string' || from.trim() === '') throw new ConfigurationError('welcome.from', 'is required: a sender verified in SES');
  let fromAddress = from;
  if (!Token.isUnresolved(from)) {
    const match = LINE_BREAK.test(from) ? null : SENDER.exec(from.trim());
    if (!match) throw new ConfigurationError('welcome.from', 'must be an address, or `Name <address>`, on one line');
    fromAddress = (match[1] ?? match[2])!;
  }
  if (typeof subject !== 'string' || subject === '') throw new ConfigurationError('welcome.subject', 'is required: a template string');
  if (LINE_BREAK.test(subject)) throw new ConfigurationError('welcome.subject', 'must not contain a line break (header injection)');
  if (text === undefined && html === undefined) throw new ConfigurationError('welcome.text', 'give `text`, `html` or both');
  for (const [name, template] of [['text', text], ['html', html]] as const) {
    if (template !== undefined && (typeof template !== 'string' || template === '')) {
      throw new ConfigurationError(`welcome.${name}`, 'must be a non-empty template string');
    }
  }
  return { from, fromAddress, subject, ...(text !== undefined && { text }), ...(html !== undefined && { html }) };
}

function handlers(value: ProfileSyncProps['handlers']): void {
  if (value === undefined) return;
  if (typeof value !== 'object' || value === null) throw new ConfigurationError('handlers', 'must be an object of function name to { entry }');
  for (const [name, entry] of Object.entries(value as Record<string, ProfileSyncHandlerEntry | undefined>)) {
    if (!HANDLER_NAMES.includes(name)) throw new ConfigurationError(`handlers.${name}`, `is not one of ${HANDLER_NAMES.join(', ')}`);
    if (entry === undefined) continue;
    if (typeof entry !== 'object' || entry === null || typeof entry.entry !== 'string' || entry.entry === '') {
      throw new ConfigurationError(`handlers.${name}.entry`, 'is required: the path of your entry file');
    }
  }
}

/** Checks the props when the construct is made (at synth), naming the prop at fault. @internal */
export function resolveSettings(props: ProfileSyncProps): ProfileSyncSettings {
  const partitionKey = props.partitionKey ?? 'userId';
  if (typeof partitionKey !== 'string' || partitionKey === '') throw new ConfigurationError('partitionKey', 'must be a non-empty attribute name');
  if (props.partitionKey !== undefined && props.table === undefined) {
    throw new ConfigurationError('partitionKey', 'is for a table you pass; the table the construct creates is keyed by userId');
  }
  handlers(props.handlers);

  const preTokenGeneration = section(props.preTokenGeneration, 'preTokenGeneration');
  const adminChanges = section(props.adminChanges, 'adminChanges');
  const reconcile = section(props.reconcile, 'reconcile');
  for (const [name, turnedOff] of [
    ['preTokenGeneration', preTokenGeneration === false],
    ['adminChanges', adminChanges === false],
    ['reconcile', reconcile === false],
  ] as const) {
    if (turnedOff && props.handlers?.[name] !== undefined) throw new ConfigurationError(`handlers.${name}`, `is given but ${name} is false`);
  }

  let schedule: string | undefined;
  if (reconcile !== false) {
    schedule = reconcile?.schedule ?? 'rate(1 day)';
    if (typeof schedule !== 'string' || (!Token.isUnresolved(schedule) && !SCHEDULE.test(schedule.trim()))) {
      throw new ConfigurationError('reconcile.schedule', 'must be an EventBridge Scheduler expression: rate(…), cron(…) or at(…)');
    }
  }

  const version = preTokenGeneration === false ? undefined : choice(preTokenGeneration?.version, VERSIONS, 'V1_0', 'preTokenGeneration.version');
  if (preTokenGeneration && preTokenGeneration.accessTokenClaims !== undefined && version === 'V1_0') {
    throw new ConfigurationError('preTokenGeneration.accessTokenClaims', "needs version 'V2_0' or 'V3_0': V1_0 events carry no access token claims");
  }

  return {
    partitionKey,
    welcome: welcome(props.welcome),
    erasure: erasureSettings(props),
    preTokenGeneration:
      preTokenGeneration === false
        ? undefined
        : {
            version: version!,
            claims: claims(preTokenGeneration?.claims, 'preTokenGeneration.claims'),
            accessTokenClaims: claims(preTokenGeneration?.accessTokenClaims, 'preTokenGeneration.accessTokenClaims'),
          },
    adminChanges:
      adminChanges === false ? undefined : { onDelete: choice(adminChanges?.onDelete, ['mark', 'delete'] as const, 'mark', 'adminChanges.onDelete') },
    reconcile:
      reconcile === false
        ? undefined
        : {
            schedule: schedule!.trim(),
            orphans: choice(reconcile?.orphans, ['report', 'mark', 'delete'] as const, 'report', 'reconcile.orphans'),
            ...(reconcile?.orphanSlices !== undefined && { orphanSlices: sliceCount(reconcile.orphanSlices) }),
          },
  };
}
