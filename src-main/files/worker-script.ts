// Where a worker thread's or a job process's program is. Running from the sources (Node
// strips the types), it is the `.ts` file beside the module that starts it; in the Electron build,
// electron-vite emits each of them as its own entry, `<name>.js` in out/main, while the module
// that starts it may sit in out/main or in out/main/chunks. A literal
// `new URL('./x.ts', import.meta.url)` would be copied into the bundle as an untranspiled asset.

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function workerScript(moduleUrl: string, name: string): URL {
  if (moduleUrl.endsWith('.ts')) return new URL(`./${name}.ts`, moduleUrl);
  for (const candidate of [`./${name}.js`, `../${name}.js`]) {
    const url = new URL(candidate, moduleUrl);
    if (existsSync(fileURLToPath(url))) return url;
  }
  throw new Error(`the worker program ${name}.js is missing beside ${fileURLToPath(moduleUrl)}`);
}
