// The same handler from the root entry, which also takes a bare function as onWelcome and so carries the welcome protocol.
import { createPostConfirmationHandler } from 'cognito-profile-sync';

export const handler = createPostConfirmationHandler({ table: process.env.DDB_TABLE });
