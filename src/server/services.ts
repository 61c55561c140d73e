import { accountingConversion } from '../apps/conversion/accounting-conversion.js';
import { crmConversion } from '../apps/conversion/crm-conversion.js';
import { applications } from '../apps/index.js';
import type { ConversionRules } from '../exchange/conversion.js';
import { createExchangeHub, type ExchangeHub } from '../exchange/exchange-service.js';
import { createHttpTransport, type TransportFactory } from '../exchange/transport.js';
import { createHost, type Host } from '../platform/host.js';
import type { ApplicationName } from '../platform/metadata.js';
import { createSecretBox } from '../platform/secret-box.js';
import type { Storage } from '../platform/storage/index.js';

const CONVERSIONS: Record<ApplicationName, ConversionRules> = {
  crm: crmConversion,
  accounting: accountingConversion,
};

export type Services = { host: Host; exchange: ExchangeHub; close(): Promise<void> };

/**
 * How long a call to the peer may take (IBSYNC_PEER_TIMEOUT_MS, default 60 s) and how big a message part
 * is (IBSYNC_PART_SIZE, default 1 MiB): the fault-injection suite lowers both to provoke timeouts and
 * many-part transfers between real host processes.
 */
function exchangeTuning(env: NodeJS.ProcessEnv): { peerTimeoutMs?: number; partSize?: number } {
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
  return { ...(peerTimeoutMs ? { peerTimeoutMs } : {}), ...(partSize ? { partSize } : {}) };
}

/** The composition root: the host with its applications, and the exchange wired into it. */
export async function createServices(options: {
  storage: Storage;
  hostKey: Buffer;
  transport?: TransportFactory;
  partSize?: number;
  now?: () => Date;
}): Promise<Services> {
  const host = await createHost({
    storage: options.storage,
    applications,
    ...(options.now ? { now: options.now } : {}),
  });
  const tuning = exchangeTuning(process.env);
  const partSize = options.partSize ?? tuning.partSize;
  const exchange = createExchangeHub(host, {
    rulesFor: (application) => CONVERSIONS[application],
    secrets: createSecretBox(options.hostKey),
    transport:
      options.transport ??
      ((connection) =>
        createHttpTransport(connection, tuning.peerTimeoutMs ? { timeoutMs: tuning.peerTimeoutMs } : {})),
    ...(partSize ? { partSize } : {}),
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
