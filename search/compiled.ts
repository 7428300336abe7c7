// Where a worker's compiled entry point is: next to this module when it runs from dist/, or in
// dist/ when the caller runs from the TypeScript sources (as the tests do).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The compiled `search/<name>.js`; a missing build is one clear message. */
export function compiledModule(name: string): string {
  for (const url of [new URL(`./${name}.js`, import.meta.url), new URL(`../dist/search/${name}.js`, import.meta.url)]) {
    const file = fileURLToPath(url);
    if (existsSync(file)) return file;
  }
  throw new Error(`the compiled search/${name}.js is missing: run npm run build`);
}
