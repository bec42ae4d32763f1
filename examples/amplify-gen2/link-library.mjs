// In your own project, `npm install cognito-profile-sync` puts the library in node_modules.
// Here it is this repository itself (build it first: `npm run build` at the root), linked in
// after the install so that the example imports the package by its name, as yours would.
import { existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repository = join(here, '..', '..');
const link = join(here, 'node_modules', 'cognito-profile-sync');
mkdirSync(dirname(link), { recursive: true });
if (existsSync(link)) rmSync(link, { recursive: true, force: true });
symlinkSync(relative(dirname(link), repository), link, 'dir');
console.log(`linked node_modules/cognito-profile-sync to ${relative(here, repository) || '.'}`);
