import { ApiError, request } from './client';
import type { Job } from './types';

/**
 * The mapping review of stage 2 (S20). Its API is young, so everything the screen knows of it is in this
 * file: the contract, and a reader that accepts the variants seen so far (a count or counts per search
 * rule, a decision given or implied by the status).
 */
export type MappingTypeSummary = {
  type: string;
  total: number;
  byPublicId: number;
  byRef: number;
  bySearch: number;
  ambiguous: number;
  unmatched: number;
  decided: number;
};

export type MappingStatus = 'unmatched' | 'ambiguous' | 'matched' | 'all';

export type MappingCandidate = { localRef: string; presentation: string; score: number; reason: string };

export type MappingDecision = { action: 'link' | 'create-new'; localRef?: string };

export type MappingItem = {
  type: string;
  peerRef: string;
  presentation: string;
  /** As the API says it; `linked-by-hand` and `new-by-hand` are decided ones. */
  status: string;
  match: { localRef: string; how: string; fields: string[] } | null;
  candidates: MappingCandidate[];
  decision: MappingDecision | null;
};

export type DecisionInput = {
  type: string;
  peerRef: string;
  action: 'link' | 'unlink' | 'create-new';
  localRef?: string;
};

/** What a load would do per type (`POST …/load?dryRun=true`). */
export type DryRunCounts = Record<
  string,
  { create: number; update: number; link: number; skip: number; conflict: number }
>;

type RawSummary = Record<string, unknown>;

const count = (value: unknown): number => {
  if (typeof value === 'number') return value;
  if (value && typeof value === 'object') {
    return Object.values(value).reduce<number>((sum, part) => sum + count(part), 0);
  }
  return 0;
};

function readSummary(raw: RawSummary): MappingTypeSummary {
  return {
    type: String(raw.type),
    total: count(raw.total),
    byPublicId: count(raw.byPublicId),
    byRef: count(raw.byRef),
    bySearch: count(raw.bySearch),
    ambiguous: count(raw.ambiguous),
    unmatched: count(raw.unmatched),
    decided: raw.decided !== undefined ? count(raw.decided) : count(raw.byDecision) + count(raw.newByHand),
  };
}

function readItem(raw: Record<string, unknown>): MappingItem {
  const status = String(raw.status);
  const match = (raw.match as MappingItem['match']) ?? null;
  const given = raw.decision as MappingDecision | null | undefined;
  const implied: MappingDecision | null =
    status === 'linked-by-hand' && match
      ? { action: 'link', localRef: match.localRef }
      : status === 'new-by-hand'
        ? { action: 'create-new' }
        : null;
  return {
    type: String(raw.type),
    peerRef: String(raw.peerRef),
    presentation: String(raw.presentation ?? raw.peerRef),
    status,
    match,
    candidates: (raw.candidates as MappingCandidate[] | undefined) ?? [],
    decision: given ?? implied,
  };
}

export function mappingApi(ib: string, settingId: string) {
  const base = `/${encodeURIComponent(ib)}/api/v1/sync/settings/${encodeURIComponent(settingId)}`;
  return {
    async summary(): Promise<MappingTypeSummary[]> {
      const answer = await request<{ types: RawSummary[] }>('GET', `${base}/mapping`);
      return answer.types.map(readSummary);
    },
    async items(query: {
      type?: string;
      status: MappingStatus;
      limit: number;
      offset: number;
    }): Promise<{ items: MappingItem[]; total: number }> {
      const answer = await request<{ items: Record<string, unknown>[]; total: number }>(
        'GET',
        `${base}/mapping/items`,
        undefined,
        query,
      );
      return { items: answer.items.map(readItem), total: answer.total };
    },
    decide: (decision: DecisionInput) => request<void>('POST', `${base}/mapping/decisions`, decision),
    dryRun: () => request<Job>('POST', `${base}/load`, undefined, { dryRun: 'true' }),
  };
}

/**
 * Whether this host offers the analysis: a missing route answers 404 `not_found`, which means "load
 * without the review"; anything else is a real failure.
 */
export async function mappingAvailable(ib: string, settingId: string): Promise<boolean> {
  try {
    await mappingApi(ib, settingId).summary();
    return true;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404 && error.code === 'not_found') return false;
    throw error;
  }
}

/**
 * A dry run's result: the contract's per-type { create, update, link, skip, conflict }, or a journal
 * entry's counts (created, updated, unchanged = linked to an existing object, skipped, held back).
 */
export function readDryRun(result: unknown): DryRunCounts {
  if (!result || typeof result !== 'object') return {};
  const record = result as Record<string, unknown>;
  const source = (record.types ?? record.counts ?? record) as Record<string, unknown>;
  const counts: DryRunCounts = {};
  for (const [type, value] of Object.entries(source)) {
    if (!value || typeof value !== 'object') continue;
    const entry = value as Record<string, unknown>;
    if (['create', 'update', 'link', 'skip', 'conflict'].some((key) => key in entry)) {
      counts[type] = {
        create: count(entry.create),
        update: count(entry.update),
        link: count(entry.link),
        skip: count(entry.skip),
        conflict: count(entry.conflict),
      };
    } else if ('created' in entry || 'updated' in entry) {
      counts[type] = {
        create: count(entry.created),
        update: count(entry.updated),
        link: count(entry.unchanged),
        skip: count(entry.skipped),
        conflict: count(entry.heldBack),
      };
    }
  }
  return counts;
}
