// The same handler from the root entry point, in CommonJS: every module the root requires
// comes along, since a bundler cannot leave out parts of a CommonJS module.
const { createPostConfirmationHandler } = require('cognito-profile-sync');

exports.handler = createPostConfirmationHandler({ table: process.env.DDB_TABLE });
