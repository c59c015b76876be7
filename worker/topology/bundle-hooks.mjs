// Module resolution for topology bundles (see bundle-loader.ts). Registered with
// `module.register`, so it runs on Node's loader thread, and is plain JavaScript for that reason.
//
// A bundle names the framework as `squall:<path in the install>` and npm packages by bare name.
// Both resolve from the install of the process that loads the bundle, wherever the bundle file
// itself sits, so the bundle and the worker share one copy of core.
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

let root = '';
let rootUrl = '';

export function initialize(data) {
  root = data.root;
  rootUrl = pathToFileURL(join(root, 'package.json')).href;
}

const isBundle = (url) => typeof url === 'string' && url.endsWith('.bundle.mjs');
const isBare = (s) => !s.startsWith('.') && !s.startsWith('/') && !/^[a-z][a-z0-9+.-]*:/i.test(s);

export async function resolve(specifier, context, next) {
  if (specifier.startsWith('squall:')) {
    // The rest of the chain (tsx) resolves the path as if the install's root imported it.
    const path = join(root, specifier.slice('squall:'.length));
    if (![path, path.replace(/\.js$/, '.ts')].some((p) => existsSync(p))) {
      throw new Error(`the bundle imports ${specifier}, which this Squall install at ${root} does not have: is it another version?`);
    }
    return next(pathToFileURL(path).href, { ...context, parentURL: rootUrl });
  }
  if (isBundle(context.parentURL) && isBare(specifier)) return next(specifier, { ...context, parentURL: rootUrl });
  return next(specifier, context);
}
