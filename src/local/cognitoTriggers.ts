import type { CognitoLocalContext, CognitoLocalLib, CognitoLocalServices } from './cognitoLocalLib.js';
import type { TriggerInvoker } from './triggerInvoker.js';

type Triggers = CognitoLocalServices['triggers'];
type AttributeList = Parameters<CognitoLocalLib['attributesToRecord']>[0];

/** What cognito-local's targets pass to its PostConfirmation and PostAuthentication triggers. */
interface AfterTriggerRequest {
  clientId: string | null;
  clientMetadata: Record<string, string> | undefined;
  source: string;
  userAttributes: AttributeList;
  username: string;
  userPoolId: string;
}

/**
 * cognito-local's triggers, calling through `invoker`, except that PostConfirmation and
 * PostAuthentication let a failure through, as AWS does: cognito-local catches and logs it
 * and the API call succeeds. Its targets save the user before calling either trigger, so a
 * confirmation that fails this way still leaves the user confirmed, as on AWS.
 *
 * @internal
 */
export function createTriggers(lib: CognitoLocalLib, base: Triggers, invoker: TriggerInvoker): Triggers {
  const propagating =
    (trigger: 'PostConfirmation' | 'PostAuthentication') =>
    async (ctx: CognitoLocalContext, request: AfterTriggerRequest): Promise<void> => {
      await invoker.invoke(ctx, trigger, {
        clientId: request.clientId,
        clientMetadata: request.clientMetadata,
        triggerSource: request.source,
        userAttributes: lib.attributesToRecord(request.userAttributes),
        username: request.username,
        userPoolId: request.userPoolId,
      });
    };
  return {
    enabled: (trigger) => base.enabled(trigger),
    customEmailSender: base.customEmailSender,
    customMessage: base.customMessage,
    preSignUp: base.preSignUp,
    preTokenGeneration: base.preTokenGeneration,
    userMigration: base.userMigration,
    postConfirmation: propagating('PostConfirmation') as Triggers['postConfirmation'],
    postAuthentication: propagating('PostAuthentication') as Triggers['postAuthentication'],
  };
}
