import type {
  PreTokenGenerationTriggerEvent,
  PreTokenGenerationV2TriggerEvent,
  PreTokenGenerationV3TriggerEvent,
} from 'aws-lambda';
import { triggerBase, type TriggerEventOptions } from './triggerBase.js';

/**
 * A V3 pre token generation event. Cognito sends the V2 shape with `version: "3"` for every
 * user sign-in source, and adds `TokenGeneration_ClientCredentials` for machine-to-machine
 * grants (`@types/aws-lambda` types only that source for V3).
 */
export type PreTokenGenerationV3Event = PreTokenGenerationV3TriggerEvent | (PreTokenGenerationV2TriggerEvent & { version: '3' });

/**
 * The user's groups and roles as Cognito sends them in `request.groupConfiguration`.
 * `preferredRole` is `null` when the user's groups give no role (the usual case), otherwise a
 * role ARN.
 */
export interface GroupConfigurationOption {
  /** @default [] */
  groupsToOverride?: string[];
  /** @default [] */
  iamRolesToOverride?: string[];
  /** @default null */
  preferredRole?: string | null;
}

/** Options shared by every version of {@link buildPreTokenGenerationEvent}. */
export interface PreTokenGenerationCommonOptions extends TriggerEventOptions {
  /** Merged over the default: no groups, no roles, `preferredRole: null`. */
  groupConfiguration?: GroupConfigurationOption;
  /**
   * Shorthand for `groupConfiguration.groupsToOverride`.
   * @default []
   */
  groups?: string[];
}

/** Options of a V1 event ({@link buildPreTokenGenerationEvent} with `version: '1'` or none). */
export interface PreTokenGenerationV1EventOptions extends PreTokenGenerationCommonOptions {
  /** @default '1' */
  version?: '1';
  /** @default 'TokenGeneration_Authentication' */
  triggerSource?: PreTokenGenerationTriggerEvent['triggerSource'];
  /** V1 events carry no scopes. */
  scopes?: never;
  /**
   * The response as an earlier step left it, such as claims already added.
   * @default { claimsOverrideDetails: null }, as Cognito sends it
   */
  response?: PreTokenGenerationTriggerEvent['response'];
}

/** Options of a V2 event ({@link buildPreTokenGenerationEvent} with `version: '2'`). */
export interface PreTokenGenerationV2EventOptions extends PreTokenGenerationCommonOptions {
  version: '2';
  /** @default 'TokenGeneration_Authentication' */
  triggerSource?: PreTokenGenerationV2TriggerEvent['triggerSource'];
  /**
   * The scopes of the access token about to be issued.
   * @default ['aws.cognito.signin.user.admin'], what a sign-in through the user pools API gets
   */
  scopes?: string[];
  /**
   * The response as an earlier step left it, such as claims or scopes already added.
   * @default { claimsAndScopeOverrideDetails: null }, as Cognito sends it
   */
  response?: PreTokenGenerationV2TriggerEvent['response'];
}

/** Options of a V3 event ({@link buildPreTokenGenerationEvent} with `version: '3'`). */
export interface PreTokenGenerationV3EventOptions extends PreTokenGenerationCommonOptions {
  version: '3';
  /** @default 'TokenGeneration_Authentication' */
  triggerSource?: PreTokenGenerationV3Event['triggerSource'];
  /** @default ['aws.cognito.signin.user.admin'] */
  scopes?: string[];
  /** @default { claimsAndScopeOverrideDetails: null }, as Cognito sends it */
  response?: PreTokenGenerationV2TriggerEvent['response'];
}

/** Options of {@link buildPreTokenGenerationEvent}, by event version. */
export type PreTokenGenerationEventOptions =
  | PreTokenGenerationV1EventOptions
  | PreTokenGenerationV2EventOptions
  | PreTokenGenerationV3EventOptions;

/** The event type of one version (distributes over a union of versions). */
export type EventOfVersion<TVersion> = TVersion extends '3'
  ? PreTokenGenerationV3Event
  : TVersion extends '2'
    ? PreTokenGenerationV2TriggerEvent
    : PreTokenGenerationTriggerEvent;

/** A pre token generation event of the version the options ask for (V1 when they name none). */
export type PreTokenGenerationEventOf<TOptions extends PreTokenGenerationEventOptions> = EventOfVersion<
  Exclude<TOptions['version'], undefined> | (undefined extends TOptions['version'] ? '1' : never)
>;

/**
 * A pre token generation event with the fields, types and values Cognito sends for the version
 * and trigger source asked for: `request.groupConfiguration` with `preferredRole: null`,
 * `request.scopes` from V2 on, and the response field of the version set to `null` until a
 * step fills it. The return type follows `version`.
 *
 * `@types/aws-lambda` types `preferredRole` and the response field as never `null`, although
 * Cognito sends `null` there: a handler that trusts those types fails with these events as it
 * would in production.
 *
 * @example
 * ```ts
 * const v1 = buildPreTokenGenerationEvent();
 * const v2 = buildPreTokenGenerationEvent({
 *   version: '2',
 *   triggerSource: 'TokenGeneration_NewPasswordChallenge',
 *   scopes: ['openid', 'email'],
 *   groupConfiguration: { groupsToOverride: ['admins'] },
 * });
 * ```
 */
export function buildPreTokenGenerationEvent(options?: PreTokenGenerationV1EventOptions): PreTokenGenerationTriggerEvent;
export function buildPreTokenGenerationEvent(options: PreTokenGenerationV2EventOptions): PreTokenGenerationV2TriggerEvent;
export function buildPreTokenGenerationEvent(options: PreTokenGenerationV3EventOptions): PreTokenGenerationV3Event;
export function buildPreTokenGenerationEvent<TOptions extends PreTokenGenerationEventOptions>(
  options: TOptions,
): PreTokenGenerationEventOf<TOptions>;
export function buildPreTokenGenerationEvent(
  options: PreTokenGenerationEventOptions = {},
): PreTokenGenerationTriggerEvent | PreTokenGenerationV2TriggerEvent | PreTokenGenerationV3Event {
  const { userAttributes, clientMetadata, ...base } = triggerBase(options);
  // Copied, so that a test changing the event never changes the options it reuses.
  const groupConfiguration = structuredClone({
    groupsToOverride: options.groups ?? [],
    iamRolesToOverride: [],
    preferredRole: null,
    ...options.groupConfiguration,
  }) as { groupsToOverride: string[]; iamRolesToOverride: string[]; preferredRole?: string };
  const triggerSource = options.triggerSource ?? 'TokenGeneration_Authentication';

  if (options.version === undefined || options.version === '1') {
    return {
      version: '1',
      ...base,
      triggerSource,
      request: { userAttributes, groupConfiguration, ...(clientMetadata && { clientMetadata }) },
      response: options.response
        ? structuredClone(options.response)
        : ({ claimsOverrideDetails: null } as unknown as PreTokenGenerationTriggerEvent['response']),
    } as PreTokenGenerationTriggerEvent;
  }
  return {
    version: options.version,
    ...base,
    triggerSource,
    request: {
      userAttributes,
      groupConfiguration,
      scopes: [...(options.scopes ?? ['aws.cognito.signin.user.admin'])],
      ...(clientMetadata && { clientMetadata }),
    },
    response: options.response ? structuredClone(options.response) : { claimsAndScopeOverrideDetails: null },
  } as PreTokenGenerationV2TriggerEvent | PreTokenGenerationV3Event;
}
