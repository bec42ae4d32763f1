// What a user deploys: the library's PostConfirmation handler, configured from the environment.
import { createPostConfirmationHandler } from 'cognito-profile-sync';

export const handler = createPostConfirmationHandler({ table: process.env.DDB_TABLE });
