/**
 * Serves the admin UI (apps/admin's built dist) at `/` on the broker's one port (README,
 * "Running"), with a strict Content-Security-Policy: scripts, styles and connections only from
 * this origin, no inline script, no eval, no framing. Client routes (`/queues/%2F/orders`) get
 * index.html, so a reload or a shared link opens the right page; no other path is touched, so
 * the API's, the metrics' and the health paths are never shadowed.
 * Building the UI is the admin app's job; a broker without the build answers `/` with a 503
 * that says how to build it, and the API works as ever.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

/**
 * The UI's client routes (apps/admin/src/router.tsx): only these get index.html, so the API's,
 * the wire's, the metrics' and the health paths, and their errors, stay the API's own.
 */
export const CLIENT_ROUTES = ['queues', 'failures', 'exchanges', 'topology', 'connections', 'policies', 'scheduled', 'definitions', 'nodes', 'audit'];

/** Where the built UI is: `WARREN_ADMIN_DIR`, else the `@warren/admin` package's dist. */
export function adminDistDir(): string | undefined {
  const fromEnv = process.env.WARREN_ADMIN_DIR;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  try {
    const manifest = createRequire(import.meta.url).resolve('@warren/admin/package.json');
    return join(dirname(manifest), 'dist');
  } catch {
    return undefined;
  }
}

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
};

function securityHeaders(set: (name: string, value: string) => unknown): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) set(name, value);
}

export async function registerAdminUi(app: FastifyInstance, dir = adminDistDir()): Promise<void> {
  const built = dir !== undefined && existsSync(join(dir, 'index.html'));
  if (built) {
    await app.register(fastifyStatic, {
      root: dir,
      prefix: '/',
      wildcard: false,
      index: false,
      // Hashed asset names change with their content; index.html is looked at every time.
      setHeaders: (res, path) => {
        securityHeaders((n, v) => res.header(n, v));
        res.header('cache-control', path.startsWith(join(dir, 'assets')) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
  }
  const page = async (_request: unknown, reply: FastifyReply) => {
    securityHeaders((n, v) => reply.header(n, v));
    if (!built) {
      return reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send('The admin UI is not built: run `npx -y pnpm@10.34.8 run build` (see README).\n');
    }
    reply.header('cache-control', 'no-cache');
    return reply.sendFile('index.html');
  };
  app.get('/', page);
  for (const route of CLIENT_ROUTES) {
    app.get(`/${route}`, page);
    app.get(`/${route}/*`, page);
  }
}
