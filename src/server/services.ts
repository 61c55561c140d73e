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
  const exchange = createExchangeHub(host, {
    rulesFor: (application) => CONVERSIONS[application],
    secrets: createSecretBox(options.hostKey),
    transport: options.transport ?? ((connection) => createHttpTransport(connection)),
    ...(options.partSize ? { partSize: options.partSize } : {}),
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
