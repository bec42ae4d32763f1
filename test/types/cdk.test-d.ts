import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { PostConfirmationTriggerEvent } from 'aws-lambda';
import { describe, expectTypeOf, it } from 'vitest';
import type { ProfileSync, ProfileSyncPreTokenGeneration, ProfileSyncProps } from '../../src/cdk/index.js';
import type { postConfirmationFromEnvironment } from '../../src/lambda/handlers.js';

describe('cognito-profile-sync/cdk types', () => {
  it('takes a UserPool of the app, not an imported IUserPool, which cannot be given triggers', () => {
    expectTypeOf<cognito.UserPool>().toExtend<ProfileSyncProps['userPool']>();
    expectTypeOf<cognito.IUserPool>().not.toExtend<ProfileSyncProps['userPool']>();
  });

  it('turns each optional part off with false', () => {
    expectTypeOf<ProfileSyncProps['preTokenGeneration']>().toEqualTypeOf<ProfileSyncPreTokenGeneration | false | undefined>();
    expectTypeOf<false>().toExtend<ProfileSyncProps['adminChanges']>();
    expectTypeOf<false>().toExtend<ProfileSyncProps['reconcile']>();
    expectTypeOf<NonNullable<ProfileSyncPreTokenGeneration['version']>>().toEqualTypeOf<'V1_0' | 'V2_0' | 'V3_0'>();
  });

  it('exposes the functions as lambda.Function, postConfirmation always', () => {
    expectTypeOf<ProfileSync['functions']['postConfirmation']>().toEqualTypeOf<lambda.Function>();
    expectTypeOf<ProfileSync['functions']['reconcile']>().toEqualTypeOf<lambda.Function | undefined>();
  });

  it('types the ready PostConfirmation handler for its event', () => {
    expectTypeOf<ReturnType<typeof postConfirmationFromEnvironment>>().parameter(0).toEqualTypeOf<PostConfirmationTriggerEvent>();
  });
});
