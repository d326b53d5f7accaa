// `prepack` of the core package: copies the repository's README, CHANGELOG and LICENSE into the
// package folder, so that the tarball carries the same documents as the repository (the copies
// are git-ignored; the LICENSE is also committed in each package).
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
for (const name of ['README.md', 'CHANGELOG.md', 'LICENSE']) copyFileSync(join(root, name), join(process.cwd(), name));
