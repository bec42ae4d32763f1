import type {
  Context,
  CustomMessageTriggerEvent,
  PostAuthenticationTriggerEvent,
  PostConfirmationTriggerEvent,
  PreSignUpTriggerEvent,
  PreTokenGenerationTriggerEvent,
  UserMigrationTriggerEvent,
} from 'aws-lambda';
import { ConfigurationError } from '../errors.js';

/**
 * A Lambda-style handler the local stack calls for a Cognito trigger. Its result is the
 * response Cognito reads (`result.response`), as with a deployed function.
 *
 * @example
 * ```ts
 * const handler: LocalTriggerHandler<PostConfirmationTriggerEvent> = async (event) => event;
 * ```
 */
export type LocalTriggerHandler<TEvent> = (event: TEvent, context: Context) => Promise<unknown>;

/**
 * The handler for each Cognito trigger the local stack serves; a trigger without one is not
 * configured on the pool, as in AWS. `CustomEmailSender` is left out: cognito-local would
 * call AWS KMS for it.
 *
 * @example
 * ```ts
 * const handlers: LocalTriggerHandlers = {
 *   PostConfirmation: createPostConfirmationHandler({ table: 'profiles' }),
 * };
 * ```
 */
export interface LocalTriggerHandlers {
  PreSignUp?: LocalTriggerHandler<PreSignUpTriggerEvent>;
  PostConfirmation?: LocalTriggerHandler<PostConfirmationTriggerEvent>;
  PreTokenGeneration?: LocalTriggerHandler<PreTokenGenerationTriggerEvent>;
  PostAuthentication?: LocalTriggerHandler<PostAuthenticationTriggerEvent>;
  CustomMessage?: LocalTriggerHandler<CustomMessageTriggerEvent>;
  UserMigration?: LocalTriggerHandler<UserMigrationTriggerEvent>;
}

/**
 * A trigger the local stack can route.
 *
 * @example
 * ```ts
 * const calls = stack.invocations.filter(({ trigger }) => trigger === ('PostConfirmation' satisfies LocalTriggerName));
 * ```
 */
export type LocalTriggerName = keyof LocalTriggerHandlers;

const TRIGGER_NAMES: readonly LocalTriggerName[] = [
  'PreSignUp',
  'PostConfirmation',
  'PreTokenGeneration',
  'PostAuthentication',
  'CustomMessage',
  'UserMigration',
];

/** The Lambda function name the pool calls for a trigger. @internal */
export const functionNameOf = (trigger: LocalTriggerName): string => `local-${trigger}`;

/** A trigger's handler, as found for an incoming invocation. @internal */
export interface RoutedTrigger {
  readonly trigger: LocalTriggerName;
  readonly handler: LocalTriggerHandler<never>;
}

/**
 * The current handlers, and the `TriggerFunctions` map cognito-local reads. The map is the
 * very object cognito-local holds (its LambdaService keeps a reference), so changing it
 * here turns a trigger on or off for the running pool.
 *
 * @internal
 */
export interface TriggerRegistry {
  /** Trigger name to function name, in the shape of cognito-local's `TriggerFunctions`. */
  readonly functions: Record<string, string>;
  set(handlers: LocalTriggerHandlers): void;
  route(functionName: string): RoutedTrigger | undefined;
}

/** @internal */
export function createTriggerRegistry(initial: LocalTriggerHandlers): TriggerRegistry {
  const functions: Record<string, string> = {};
  let current: LocalTriggerHandlers = {};
  const registry: TriggerRegistry = {
    functions,
    set(handlers) {
      const next = validateHandlers(handlers);
      current = next;
      for (const trigger of TRIGGER_NAMES) {
        if (next[trigger]) functions[trigger] = functionNameOf(trigger);
        else delete functions[trigger];
      }
    },
    route(functionName) {
      const trigger = TRIGGER_NAMES.find((name) => functionNameOf(name) === functionName);
      const handler = trigger && current[trigger];
      return trigger && handler ? { trigger, handler: handler as LocalTriggerHandler<never> } : undefined;
    },
  };
  registry.set(initial);
  return registry;
}

function validateHandlers(handlers: LocalTriggerHandlers): LocalTriggerHandlers {
  if (handlers === null || typeof handlers !== 'object') {
    throw new ConfigurationError('handlers', 'must be an object of trigger name to handler function');
  }
  const copy: Record<string, unknown> = {};
  for (const [name, handler] of Object.entries(handlers)) {
    if (!(TRIGGER_NAMES as readonly string[]).includes(name)) {
      throw new ConfigurationError(`handlers.${name}`, `is not a trigger the local stack serves (${TRIGGER_NAMES.join(', ')})`);
    }
    if (handler === undefined) continue;
    if (typeof handler !== 'function') throw new ConfigurationError(`handlers.${name}`, 'must be a function');
    copy[name] = handler;
  }
  return copy as LocalTriggerHandlers;
}
