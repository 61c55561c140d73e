import type { Host } from '../../platform/host.js';
import type { ApplicationName } from '../../platform/metadata.js';
import { type DemoSeedOptions, type DemoSeedResult, isEmptyInfobase, seedDemoInfobase } from './seed-demo.js';

/** The infobases of a fresh demo host: the state in which seed step S2 begins (no users, no prefix). */
export const DEMO_INFOBASES = [
  { name: 'crm', application: 'crm', title: 'CRM — ООО "Вектор-Трейд"' },
  { name: 'bp', application: 'accounting', title: 'Бухгалтерия предприятия — ООО "Вектор-Трейд"' },
] as const satisfies readonly { name: string; application: ApplicationName; title: string }[];

/** The part of a pino logger the seed uses, so that apps/ does not depend on the server's logger. */
export type DemoLogger = { info(details: Record<string, unknown>, message: string): void };

/**
 * Creates the demo infobases that are missing and fills those that are empty; an infobase that already
 * holds anything is left as it is, so calling this on every start is safe.
 */
export async function seedDemoHost(
  host: Host,
  logger?: DemoLogger,
  options: DemoSeedOptions = {},
): Promise<DemoSeedResult[]> {
  const existing = new Set((await host.list()).map((entry) => entry.name));
  const results: DemoSeedResult[] = [];
  for (const entry of DEMO_INFOBASES) {
    const infobase = existing.has(entry.name)
      ? await host.get(entry.name)
      : await host.create(entry.name, entry.application, entry.title);
    if (!(await isEmptyInfobase(infobase))) continue;
    const started = performance.now();
    const result = await seedDemoInfobase(infobase, options);
    logger?.info(
      { infobase: entry.name, counts: result.counts, ms: Math.round(performance.now() - started) },
      'demo data seeded',
    );
    results.push(result);
  }
  return results;
}
