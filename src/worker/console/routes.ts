// GET /console: the browser console's three static files, served without a token (the page is a
// sign-in form; every data call it makes goes over /resp and AUTHs with the token).
//
// Plain JavaScript, no UI framework and no build step: the page is four tabs of tables and
// forms, which the DOM does directly in ~900 lines; a framework would outweigh it and need a
// bundler in front of `npm start` and deploy. The script is ES5-style text, wrapped in one
// function scope here; test/e2e/console.test.ts runs it in chromium.
import type { Context } from 'hono';
import { PAGE_CSS, PAGE_HTML } from './page.js';
import { CLIENT_RESP } from './client-resp.js';
import { CLIENT_BROWSER } from './client-browser.js';
import { CLIENT_VIEWS } from './client-views.js';
import { CLIENT_LIVE } from './client-live.js';

export const CONSOLE_JS = `(function () {\n'use strict';\n${CLIENT_RESP}${CLIENT_BROWSER}${CLIENT_VIEWS}${CLIENT_LIVE}})();\n`;

/**
 * Nothing but the page's own files runs or loads: a value that reached the DOM as markup still
 * could not run a script (the page shows every value as text; this is the second wall).
 */
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const FILES: Record<string, { type: string; body: string }> = {
  '/console': { type: 'text/html; charset=utf-8', body: PAGE_HTML },
  '/console/app.js': { type: 'text/javascript; charset=utf-8', body: CONSOLE_JS },
  '/console/app.css': { type: 'text/css; charset=utf-8', body: PAGE_CSS },
};

/** The paths served without a token (GET only: any other method goes through authentication). */
export function isConsoleFile(method: string, path: string): boolean {
  return method === 'GET' && Object.hasOwn(FILES, path);
}

export function consoleFile(c: Context): Response {
  const f = FILES[c.req.path]!;
  return new Response(f.body, {
    headers: {
      'content-type': f.type,
      'content-security-policy': CSP,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-cache',
    },
  });
}
