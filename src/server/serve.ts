import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { seedDemoHost } from '../apps/demo/seed-demo-host.js';
import type { Host } from '../platform/host.js';
import { boundHeapGrowth, launcherSettings, missingLauncherSettings } from '../platform/memory.js';
import { loadHostKey } from '../platform/secret-box.js';
import { openStorage, type StorageConfig } from '../platform/storage/index.js';
import { buildApp, REDACTED_LOG_PATHS } from './app.js';
import { createServices } from './services.js';

export type ServeOptions = {
  port: number;
  /** The address to bind; loopback by default, so nothing is published until the operator says so. */
  listen: string;
  storage: StorageConfig;
  /** Where the host keeps its own files (the key that seals stored peer passwords). */
  dataDir: string;
  publicUrl?: string | undefined;
  /** Fill a new host with the demo infobases `crm` and `bp` (seed S2 starts there). */
  demo?: boolean;
  logLevel?: string;
  /** PEM files of the certificate and its key: the host then speaks HTTPS only. */
  tls?: { certFile: string; keyFile: string } | undefined;
};

export type RunningServer = { app: FastifyInstance; host: Host; url: string; close(): Promise<void> };

const packageVersion = (): string => {
  try {
    return JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;
  } catch {
    return '0';
  }
};

/**
 * Says so when Node was started without what the package's command gives it (`bin/ibsync.js`): such a
 * host runs, but holds tens of megabytes more under load (docs/BENCHMARKS.md, seventh pass).
 */
function warnOfMissingMemorySettings(logger: pino.Logger): void {
  let missing: string[];
  try {
    missing = missingLauncherSettings(
      launcherSettings(fileURLToPath(new URL('../..', import.meta.url))),
      process,
    );
  } catch {
    return; // installed without the package's command: nothing to compare with
  }
  if (missing.length === 0) return;
  logger.warn(
    { missing },
    `Node was started without ${missing.join(' and ')}, which keep a host within its memory budget: start it with bin/ibsync.js (as npm start does)`,
  );
}

/** The process: storage, host, app, listen, and a graceful close on SIGINT/SIGTERM. */
export async function serve(options: ServeOptions): Promise<RunningServer> {
  boundHeapGrowth();
  const logger = pino({ level: options.logLevel ?? 'info', redact: REDACTED_LOG_PATHS });
  warnOfMissingMemorySettings(logger);
  const storage = openStorage(options.storage);
  const {
    host,
    exchange,
    close: closeServices,
  } = await createServices({
    storage,
    hostKey: loadHostKey(join(options.dataDir, 'host.key')),
  });
  if (options.demo) await seedDemoHost(host, logger);
  // Open every infobase now, so that the exchange is wired in and scheduled syncs run.
  for (const entry of await host.list()) await host.get(entry.name);
  exchange.startScheduler();
  const app = await buildApp({
    host,
    exchange,
    publicUrl: options.publicUrl,
    logger,
    https: options.tls
      ? { cert: readFileSync(options.tls.certFile), key: readFileSync(options.tls.keyFile) }
      : undefined,
    version: packageVersion(),
  });
  await app.listen({ port: options.port, host: options.listen });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const scheme = options.tls ? 'https' : 'http';
  const url = `${scheme}://${options.listen.includes(':') ? `[${options.listen}]` : options.listen}:${port}`;
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      await app.close();
      await closeServices();
    })();
    return closing;
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      logger.info({ signal }, 'shutting down');
      close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }
  // One plain line that scripts and tests wait for.
  process.stdout.write(`ibsync listening on ${url} (storage: ${storage.location})\n`);
  return { app, host, url, close };
}
