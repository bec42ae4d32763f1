// The emulators ship no type declarations; the test helpers type what they use at the call site.
declare module 'dynalite';
declare module 'aws-ses-v2-local';
