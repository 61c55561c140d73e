import type { TableSpec } from '../platform/storage/index.js';
import { binary, integer, text } from '../platform/storage/index.js';

/** A sync setting: this infobase's record of one peer (an exchange plan node in 1C's words). */
export const nodesTable: TableSpec = {
  name: 'exchange_nodes',
  columns: [
    { name: 'id', type: text, notNull: true },
    { name: 'peer_code', type: text, notNull: true },
    { name: 'role', type: text, notNull: true },
    { name: 'state', type: text, notNull: true },
    { name: 'peer_application', type: text, notNull: true },
    { name: 'peer_name', type: text },
    { name: 'peer_prefix', type: text },
    { name: 'peer_version', type: text },
    { name: 'peer_url', type: text },
    { name: 'peer_login', type: text },
    { name: 'peer_secret', type: text },
    { name: 'peer_object_types', type: text },
    { name: 'rules', type: text, notNull: true },
    { name: 'sent_no', type: integer, notNull: true },
    { name: 'received_no', type: integer, notNull: true },
    { name: 'schedule_seconds', type: integer },
    { name: 'next_run_at', type: text },
    { name: 'last_sync_at', type: text },
    { name: 'last_sync_status', type: text },
    { name: 'setup', type: text, notNull: true },
    { name: 'created_at', type: text, notNull: true },
    { name: 'updated_at', type: text, notNull: true },
  ],
  primaryKey: ['id'],
  indexes: [{ name: 'exchange_nodes__peer_code__uq', columns: ['peer_code'], unique: true }],
};

/**
 * The change log: what must still reach each node. `message_no` is null until an export stamps the row
 * with the message that carries it; the peer's acknowledgement of that message deletes the row.
 */
export const changesTable: TableSpec = {
  name: 'exchange_changes',
  columns: [
    { name: 'node_id', type: text, notNull: true },
    { name: 'type', type: text, notNull: true },
    { name: 'ref', type: text, notNull: true },
    { name: 'action', type: text, notNull: true },
    { name: 'message_no', type: integer },
  ],
  primaryKey: ['node_id', 'type', 'ref'],
  indexes: [{ name: 'exchange_changes__node_message__ix', columns: ['node_id', 'message_no'] }],
};

/**
 * Objects the peer has: sent by us (`source` us) or received from it (peer). Catalog items "sent only if
 * used" are followed from then on; only what we sent goes as a deletion when it leaves our filter.
 */
export const sentObjectsTable: TableSpec = {
  name: 'exchange_sent_objects',
  columns: [
    { name: 'node_id', type: text, notNull: true },
    { name: 'type', type: text, notNull: true },
    { name: 'ref', type: text, notNull: true },
    { name: 'source', type: text, notNull: true },
  ],
  primaryKey: ['node_id', 'type', 'ref'],
};

/** Mapping: the peer's ref of an object that exists here under another ref. */
export const publicIdsTable: TableSpec = {
  name: 'exchange_public_ids',
  columns: [
    { name: 'node_id', type: text, notNull: true },
    { name: 'type', type: text, notNull: true },
    { name: 'peer_ref', type: text, notNull: true },
    { name: 'local_ref', type: text, notNull: true },
  ],
  primaryKey: ['node_id', 'type', 'peer_ref'],
  indexes: [
    { name: 'exchange_public_ids__local__uq', columns: ['node_id', 'type', 'local_ref'], unique: true },
  ],
};

/** Choices a person made while mapping (S20): link this peer object to that local one, or create it anew. */
export const mappingDecisionsTable: TableSpec = {
  name: 'exchange_mapping_decisions',
  columns: [
    { name: 'node_id', type: text, notNull: true },
    { name: 'type', type: text, notNull: true },
    { name: 'peer_ref', type: text, notNull: true },
    { name: 'action', type: text, notNull: true },
    { name: 'local_ref', type: text },
    { name: 'decided_at', type: text, notNull: true },
    { name: 'decided_by', type: text },
  ],
  primaryKey: ['node_id', 'type', 'peer_ref'],
};

/** The rows of an analysis a person reviews: all but those matched on their own, most of a first mapping. */
export const TO_REVIEW = "status <> 'matched'";

/**
 * The analysis of the messages waiting for mapping: one row per incoming object, for the review. Keyed by
 * the order the objects came in, so that an analysis appends its rows: a key on the peer's refs would take
 * them in random order, which costs a third of the insert at 100,000 objects. The analysis itself keeps an
 * object to one row. Stored in the key's order, and indexed by status only where a person has something
 * to review: the analysis of 100,000 objects writes a quarter less (docs/BENCHMARKS.md, eighth pass).
 */
export const mappingAnalysisTable: TableSpec = {
  name: 'exchange_mapping_analysis',
  columns: [
    { name: 'node_id', type: text, notNull: true },
    { name: 'seq', type: integer, notNull: true },
    { name: 'type', type: text, notNull: true },
    { name: 'peer_ref', type: text, notNull: true },
    { name: 'presentation', type: text, notNull: true },
    { name: 'status', type: text, notNull: true },
    { name: 'how', type: text },
    { name: 'fields', type: text },
    { name: 'local_ref', type: text },
    { name: 'candidates', type: text },
    /** An unmatched object's name, for the suggestions made once every match is known. */
    { name: 'name', type: text },
  ],
  primaryKey: ['node_id', 'seq'],
  clusteredByKey: true,
  indexes: [
    {
      name: 'exchange_mapping_analysis__to_review__ix',
      columns: ['node_id', 'status', 'type', 'seq'],
      where: TO_REVIEW,
    },
  ],
};

/**
 * Tables that only ever held an analysis, which is made again on request: exchange_mapping_items, then
 * exchange_mapping_review (the same rows as exchange_mapping_analysis, stored and indexed whole).
 */
export const retiredTables = ['exchange_mapping_items', 'exchange_mapping_review'];

/** Messages in and out, stored as compressed parts so that a transfer can resume and memory stays flat. */
export const messagesTable: TableSpec = {
  name: 'exchange_messages',
  columns: [
    { name: 'node_id', type: text, notNull: true },
    { name: 'direction', type: text, notNull: true },
    { name: 'message_no', type: integer, notNull: true },
    { name: 'status', type: text, notNull: true },
    { name: 'part_count', type: integer, notNull: true },
    { name: 'size', type: integer, notNull: true },
    { name: 'sha256', type: text, notNull: true },
    { name: 'object_count', type: integer, notNull: true },
    { name: 'created_at', type: text, notNull: true },
  ],
  primaryKey: ['node_id', 'direction', 'message_no'],
};

export const messagePartsTable: TableSpec = {
  name: 'exchange_message_parts',
  columns: [
    { name: 'node_id', type: text, notNull: true },
    { name: 'direction', type: text, notNull: true },
    { name: 'message_no', type: integer, notNull: true },
    { name: 'part_no', type: integer, notNull: true },
    { name: 'sha256', type: text, notNull: true },
    { name: 'data', type: binary, notNull: true },
  ],
  primaryKey: ['node_id', 'direction', 'message_no', 'part_no'],
};

/** Incoming objects that could not be applied yet, with the reason; retried after every later import. */
export const heldBackTable: TableSpec = {
  name: 'exchange_held_back',
  columns: [
    { name: 'node_id', type: text, notNull: true },
    { name: 'type', type: text, notNull: true },
    { name: 'peer_ref', type: text, notNull: true },
    { name: 'entry', type: text, notNull: true },
    { name: 'reason', type: text, notNull: true },
    { name: 'message_no', type: integer, notNull: true },
    { name: 'held_at', type: text, notNull: true },
  ],
  primaryKey: ['node_id', 'type', 'peer_ref'],
};

export const journalTable: TableSpec = {
  name: 'exchange_journal',
  columns: [
    { name: 'id', type: text, notNull: true },
    { name: 'node_id', type: text, notNull: true },
    { name: 'operation', type: text, notNull: true },
    { name: 'status', type: text, notNull: true },
    { name: 'started_at', type: text, notNull: true },
    { name: 'finished_at', type: text },
    { name: 'duration_ms', type: integer },
    { name: 'sent_message_no', type: integer },
    { name: 'received_message_no', type: integer },
    { name: 'bytes_sent', type: integer, notNull: true },
    { name: 'bytes_received', type: integer, notNull: true },
    { name: 'counts', type: text, notNull: true },
    { name: 'error_code', type: text },
    { name: 'error_message', type: text },
    { name: 'user_login', type: text },
    /** The process running the session (process-token.ts): a session it left running is closed once it is gone. */
    { name: 'process', type: text },
  ],
  primaryKey: ['id'],
  indexes: [{ name: 'exchange_journal__node_started__ix', columns: ['node_id', 'started_at'] }],
};

export const journalItemsTable: TableSpec = {
  name: 'exchange_journal_items',
  columns: [
    { name: 'journal_id', type: text, notNull: true },
    { name: 'seq', type: integer, notNull: true },
    { name: 'level', type: text, notNull: true },
    { name: 'type', type: text },
    { name: 'ref', type: text },
    { name: 'code', type: text, notNull: true },
    { name: 'message', type: text, notNull: true },
  ],
  primaryKey: ['journal_id', 'seq'],
};

/** A lease per node: one session at a time, across processes too; a crashed holder's lease runs out. */
export const locksTable: TableSpec = {
  name: 'exchange_locks',
  columns: [
    { name: 'node_id', type: text, notNull: true },
    { name: 'holder', type: text, notNull: true },
    { name: 'purpose', type: text, notNull: true },
    { name: 'expires_at', type: text, notNull: true },
  ],
  primaryKey: ['node_id'],
};

export const exchangeTables = [
  nodesTable,
  changesTable,
  sentObjectsTable,
  publicIdsTable,
  messagesTable,
  messagePartsTable,
  heldBackTable,
  mappingDecisionsTable,
  mappingAnalysisTable,
  journalTable,
  journalItemsTable,
  locksTable,
];
