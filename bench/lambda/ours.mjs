// What a user deploys: the library's PostConfirmation handler, from its own entry point, configured from the environment.
import { createPostConfirmationHandler } from 'cognito-profile-sync/post-confirmation';

export const handler = createPostConfirmationHandler({ table: process.env.DDB_TABLE });
