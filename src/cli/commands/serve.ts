import { resolve } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import type { ServeOptions } from '../../server/serve.js';
import type { CliRuntime } from '../context.js';
import { CliError, UsageError } from '../errors.js';

type Options = {
  port?: number;
  data?: string;
  pg?: string;
  listen?: string;
  publicUrl?: string;
  demo?: boolean;
  logLevel?: string;
  tlsCert?: string;
  tlsKey?: string;
};

function parsePort(text: string, source = '--port'): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) {
    const message = `${source} must be a port number from 0 to 65535, got "${text}"`;
    throw source === '--port' ? new InvalidArgumentError(message) : new UsageError(message);
  }
  return port;
}

function storageOf(options: Options, env: CliRuntime['io']['env'], dataDir: string): ServeOptions['storage'] {
  const pg = options.pg ?? env.IBSYNC_PG_URL;
  if (pg) return { dialect: 'postgres', url: pg, schemaPrefix: env.IBSYNC_PG_SCHEMA_PREFIX || 'ibsync_' };
  return { dialect: 'sqlite', dir: dataDir };
}

export function registerServeCommand(program: Command, runtime: CliRuntime) {
  program
    .command('serve')
    .description('run an ibsync host that publishes its infobases over HTTP')
    .option('--port <n>', 'the port [PORT] (default: 8080; 0 picks a free one)', (text) => parsePort(text))
    .option(
      '--data <dir>',
      "the host's folder: its key file and, without --pg, its SQLite databases [IBSYNC_DATA] (default: ./data)",
    )
    .option('--pg <url>', 'store in PostgreSQL instead, one schema per infobase [IBSYNC_PG_URL]')
    .option('--listen <address>', 'the address to bind (default: 127.0.0.1, this computer only)')
    .option(
      '--public-url <url>',
      'the address people reach the host at, for publication URLs [IBSYNC_PUBLIC_URL]',
    )
    .option('--tls-cert <file>', 'serve HTTPS with this certificate (PEM) [IBSYNC_TLS_CERT]')
    .option('--tls-key <file>', 'the private key of that certificate (PEM) [IBSYNC_TLS_KEY]')
    .option('--demo', 'fill the host with the demo infobases crm and bp')
    .option('--log-level <level>', 'fatal, error, warn, info or debug [IBSYNC_LOG_LEVEL] (default: info)')
    .addHelpText(
      'after',
      `
PostgreSQL schemas are named <prefix>host and <prefix>ib_<infobase>, the prefix taken from
IBSYNC_PG_SCHEMA_PREFIX (default: ibsync_). Once listening, the host prints one line:
"ibsync listening on <url> (storage: <where>)". Ctrl+C (SIGINT) or SIGTERM stops it gracefully.

Examples:
  $ ibsync serve --demo
  $ ibsync serve --port 8080 --data /var/lib/ibsync
  $ ibsync serve --listen 0.0.0.0 --public-url https://cloud.example.com --pg postgresql://ibsync@db/ibsync`,
    )
    .action(async (options: Options) => {
      const { env } = runtime.io;
      const listen = options.listen ?? '127.0.0.1';
      const port = options.port ?? parsePort(env.PORT || '8080', 'PORT');
      const dataDir = resolve(options.data ?? env.IBSYNC_DATA ?? 'data');
      const tlsCert = options.tlsCert ?? env.IBSYNC_TLS_CERT;
      const tlsKey = options.tlsKey ?? env.IBSYNC_TLS_KEY;
      if ((tlsCert === undefined) !== (tlsKey === undefined)) {
        throw new UsageError(
          '--tls-cert and --tls-key go together: give both files, or neither for plain HTTP',
        );
      }
      const serveOptions: ServeOptions = {
        port,
        listen,
        storage: storageOf(options, env, dataDir),
        dataDir,
        publicUrl: options.publicUrl ?? env.IBSYNC_PUBLIC_URL,
        demo: options.demo === true,
        logLevel: options.logLevel ?? env.IBSYNC_LOG_LEVEL ?? 'info',
        tls: tlsCert && tlsKey ? { certFile: resolve(tlsCert), keyFile: resolve(tlsKey) } : undefined,
      };
      // Loaded only here: the client commands must not pay for the server's start-up.
      const { serve } = await import('../../server/serve.js');
      try {
        await serve(serveOptions);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE') {
          throw new CliError(
            'address_in_use',
            `cannot listen on ${listen} port ${port}: the port is in use`,
            {
              hint: 'is another ibsync serve running? --port picks another port',
            },
          );
        }
        throw new CliError('serve_failed', `the host did not start: ${(error as Error).message}`);
      }
    });
}
