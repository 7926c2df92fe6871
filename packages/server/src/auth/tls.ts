/**
 * TLS on the public port (docs/security.md, "TLS"): with `tlsCert` and `tlsKey` the one port
 * serves https:// and wss:// only. The files are watched, and when either changes the new pair
 * is loaded into the running server (setSecureContext): connections made from then on get the
 * new certificate, open ones keep theirs, nothing restarts. A pair that does not load (a half
 * written file, a key that does not match) is logged and the old one stays. With `tlsCa`, client
 * certificates are requested (`request`) or demanded (`require`) and verified against it.
 */
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import type { Server } from 'node:https';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import type { Config } from '../config.js';
import type { ServerLogger } from '../log.js';

/** How often the certificate files are polled, ms; fs.watch misses the rename of a Kubernetes secret update. */
const POLL_MS = 1000;

function contextOptions(config: Config): SecureContextOptions {
  return {
    cert: readFileSync(config.tlsCert!),
    key: readFileSync(config.tlsKey!),
    ...(config.tlsCa === undefined ? {} : { ca: readFileSync(config.tlsCa) }),
  };
}

/** fastify's `https` options, or undefined when TLS is not configured. */
export function httpsOptions(config: Config): (SecureContextOptions & { requestCert: boolean; rejectUnauthorized: boolean }) | undefined {
  if (config.tlsCert === undefined || config.tlsKey === undefined) {
    if (config.tlsCert !== undefined || config.tlsKey !== undefined) throw new Error('TLS needs both tlsCert and tlsKey (WARREN_TLS_CERT, WARREN_TLS_KEY)');
    return undefined;
  }
  const clients = config.tlsClientCertificates;
  if (clients !== 'none' && config.tlsCa === undefined) throw new Error(`tlsClientCertificates '${clients}' needs tlsCa (WARREN_TLS_CA)`);
  return { ...contextOptions(config), requestCert: clients !== 'none', rejectUnauthorized: clients === 'require' };
}

/** Reloads the certificate when its files change; returns the function that stops watching. */
export function watchCertificates(server: Server, config: Config, logger: ServerLogger, onReload: () => void = () => {}): () => void {
  const files = [config.tlsCert!, config.tlsKey!, ...(config.tlsCa === undefined ? [] : [config.tlsCa])];
  const reload = (): void => {
    try {
      const options = contextOptions(config);
      createSecureContext(options); // throws on a key that does not match its certificate
      server.setSecureContext(options);
      logger.info({ cert: config.tlsCert }, 'TLS certificate reloaded');
      onReload();
    } catch (error) {
      logger.warn({ err: (error as Error).message, cert: config.tlsCert }, 'TLS certificate not reloaded; keeping the previous one');
    }
  };
  for (const file of files) watchFile(file, { interval: POLL_MS, persistent: false }, (now, before) => {
    if (now.mtimeMs !== before.mtimeMs || now.size !== before.size) reload();
  });
  return () => {
    for (const file of files) unwatchFile(file);
  };
}
