// The same handler as ours.mjs, written as a CommonJS project writes it, from the handler's
// own entry point.
const { createPostConfirmationHandler } = require('cognito-profile-sync/post-confirmation');

exports.handler = createPostConfirmationHandler({ table: process.env.DDB_TABLE });
