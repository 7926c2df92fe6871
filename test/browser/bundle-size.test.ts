/**
 * Issue 22, point 5: the UI's first load is under 300 KB of compressed JavaScript. Measured on
 * the built app: every script index.html loads (its entry and anything it preloads), gzipped.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { expect, test } from 'vitest';

const DIST = fileURLToPath(new URL('../../apps/admin/dist/', import.meta.url));
const BUDGET = 300 * 1024;

test('the first load is under 300 KB of gzipped JavaScript', () => {
  const html = readFileSync(`${DIST}index.html`, 'utf8');
  const scripts = [...html.matchAll(/<(?:script[^>]*\ssrc|link[^>]*rel="modulepreload"[^>]*\shref)="\/([^"]+\.js)"/g)].map((m) => m[1]!);
  expect(scripts.length).toBeGreaterThan(0);
  const gzipped = scripts.reduce((sum, file) => sum + gzipSync(readFileSync(`${DIST}${file}`), { level: 9 }).length, 0);
  console.info(`admin UI first load: ${scripts.length} script(s), ${(gzipped / 1024).toFixed(1)} KB gzipped (budget 300 KB)`);
  expect(gzipped).toBeLessThan(BUDGET);
});
