import { conversions } from '../apps/conversion/index.js';
import { applications } from '../apps/index.js';
import { createExchangeHub, type ExchangeHub } from '../exchange/exchange-service.js';
import { createHttpTransport, type TransportFactory } from '../exchange/transport.js';
import { createHost, type Host } from '../platform/host.js';
import { createSecretBox } from '../platform/secret-box.js';
import type { Storage } from '../platform/storage/index.js';

/** The thread that reads large incoming messages: compiled beside this file, or its source under tsx. */
const READER_THREAD = new URL(
  `./reader-thread-entry.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`,
  import.meta.url,
);

export type Services = { host: Host; exchange: ExchangeHub; close(): Promise<void> };

type Tuning = { peerTimeoutMs?: number; partSize?: number; readerThreadFrom?: number };

/**
 * How long a call to the peer may take (IBSYNC_PEER_TIMEOUT_MS, default 60 s), how big a message part
 * is (IBSYNC_PART_SIZE, default 1 MiB) and from what size an incoming message is read in the reader
 * thread (IBSYNC_READER_THREAD_FROM, default 2 MiB): the fault-injection suite lowers them to provoke
 * timeouts, many-part transfers and the reader thread between real host processes.
 */
function exchangeTuning(env: NodeJS.ProcessEnv): Tuning {
  const positive = (name: string): number | undefined => {
    const text = env[name];
    if (text === undefined || text === '') return undefined;
    const value = Number(text);
    if (!Number.isInteger(value) || value <= 0)
      throw new Error(`${name} must be a positive integer, got "${text}"`);
    return value;
  };
  const peerTimeoutMs = positive('IBSYNC_PEER_TIMEOUT_MS');
  const partSize = positive('IBSYNC_PART_SIZE');
  const readerThreadFrom = positive('IBSYNC_READER_THREAD_FROM');
  return {
    ...(peerTimeoutMs ? { peerTimeoutMs } : {}),
    ...(partSize ? { partSize } : {}),
    ...(readerThreadFrom ? { readerThreadFrom } : {}),
  };
}

/** The composition root: the host with its applications, and the exchange wired into it. */
export async function createServices(options: {
  storage: Storage;
  hostKey: Buffer;
  transport?: TransportFactory;
  partSize?: number;
  /** From what size (bytes) an incoming message is read in the reader thread. */
  readerThreadFrom?: number;
  now?: () => Date;
}): Promise<Services> {
  const host = await createHost({
    storage: options.storage,
    applications,
    ...(options.now ? { now: options.now } : {}),
  });
  const tuning = exchangeTuning(process.env);
  const partSize = options.partSize ?? tuning.partSize;
  const readerThreadFrom = options.readerThreadFrom ?? tuning.readerThreadFrom;
  const exchange = createExchangeHub(host, {
    rulesFor: (application) => conversions[application],
    readerThread: READER_THREAD,
    secrets: createSecretBox(options.hostKey),
    transport:
      options.transport ??
      ((connection) =>
        createHttpTransport(connection, tuning.peerTimeoutMs ? { timeoutMs: tuning.peerTimeoutMs } : {})),
    ...(partSize ? { partSize } : {}),
    ...(readerThreadFrom ? { readerThreadFrom } : {}),
  });
  return {
    host,
    exchange,
    async close() {
      await exchange.stop();
      await host.close();
    },
  };
}
