// Serves the built renderer (index.html, scripts, styles) and nothing else: every request
// path is decoded, resolved inside the renderer folder and checked to stay there after
// symlinks are followed, so "..", encoded dots, backslashes, NUL bytes and links pointing
// out of the folder cannot reach other files. Unknown paths without an extension get
// index.html (client-side routes of the single-page app).

import { createReadStream, realpathSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, isAbsolute, join, relative, resolve, sep } from 'node:path';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.map': 'application/json; charset=utf-8',
};

/** The file a URL path names inside root, or null when it would leave root or does not exist. */
export function resolveStaticPath(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const realRoot = realpathSync(root);
  const candidate = resolve(realRoot, `.${decoded.startsWith('/') ? decoded : `/${decoded}`}`);
  if (!inside(realRoot, candidate)) return null;
  let real: string;
  try {
    real = realpathSync(candidate);
  } catch {
    return null;
  }
  if (!inside(realRoot, real)) return null; // a symlink pointing out of the folder
  const stat = statSync(real);
  if (stat.isDirectory()) {
    const index = join(real, 'index.html');
    try {
      return statSync(index).isFile() ? index : null;
    } catch {
      return null;
    }
  }
  return stat.isFile() ? real : null;
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** Answers a GET/HEAD for a file of the renderer; returns false when nothing matched. */
export function serveStatic(root: string, request: IncomingMessage, response: ServerResponse, urlPath: string): boolean {
  let file = resolveStaticPath(root, urlPath);
  if (file === null && extname(urlPath) === '' && !urlPath.includes('..') && !urlPath.includes('%')) {
    file = resolveStaticPath(root, '/index.html');
  }
  if (file === null) return false;
  response.writeHead(200, {
    'content-type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'content-length': statSync(file).size,
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-cache',
  });
  if (request.method === 'HEAD') response.end();
  else {
    // A file that vanishes or cannot be read ends the response, not the server.
    createReadStream(file)
      .on('error', () => response.destroy())
      .pipe(response);
  }
  return true;
}
