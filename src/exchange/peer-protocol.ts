import { z } from 'zod';
import { exportRulesSchema } from './export-rules.js';

/**
 * The exchange protocol between two hosts (`/<infobase>/exchange/v1/...`): the schemas both ends use,
 * the server to validate requests and the HTTP transport to validate answers.
 */
export const peerInfoSchema = z.object({
  product: z.literal('ibsync'),
  protocolVersion: z.number().int(),
  formatVersions: z.array(z.string()),
  application: z.string(),
  applicationName: z.string(),
  applicationVersion: z.string(),
  infobase: z.string(),
  prefix: z.string(),
  nodeCode: z.string(),
  syncEnabled: z.boolean(),
  objectTypes: z.object({ send: z.array(z.string()), receive: z.array(z.string()) }),
  /** Present when the request carried valid credentials. */
  caller: z
    .object({
      login: z.string(),
      role: z.string(),
      canSync: z.boolean(),
      node: z.object({ id: z.string(), state: z.string(), ready: z.boolean() }).nullable(),
    })
    .optional(),
});
export type PeerInfo = z.infer<typeof peerInfoSchema>;

export const createNodeRequestSchema = z.object({
  /** The initiator's id of the setting, used for this side's too when free. */
  settingId: z.string().uuid().optional(),
  protocolVersion: z.number().int(),
  formatVersion: z.string(),
  initiator: z.object({
    code: z.string().min(1),
    application: z.string(),
    name: z.string(),
    prefix: z.string(),
    version: z.string(),
    objectTypes: z.object({ send: z.array(z.string()), receive: z.array(z.string()) }),
  }),
  /** Seed S15: set the peer's prefix from the initiator when the peer has none yet. */
  setPrefix: z.string().optional(),
});
export type CreateNodeRequest = z.infer<typeof createNodeRequestSchema>;

export const nodeStatusSchema = z.object({
  nodeCode: z.string(),
  prefix: z.string(),
  state: z.enum(['pending', 'ready']),
  receivedNo: z.number().int(),
  sentNo: z.number().int(),
  objectTypes: z.object({ send: z.array(z.string()), receive: z.array(z.string()) }),
  rules: exportRulesSchema,
  /** What stage 2 still lacks on the peer, in words a person can act on. */
  missing: z.array(z.string()),
});
export type NodeStatus = z.infer<typeof nodeStatusSchema>;

export const messageDescriptorSchema = z.object({
  messageNo: z.number().int().min(1),
  partCount: z.number().int().min(0),
  size: z.number().int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  objectCount: z.number().int().min(0),
});

/** The largest message that travels inside its announcement: one part, base64 in the JSON body. */
export const INLINE_MESSAGE_BYTES = 64 * 1024;

export const announcementSchema = messageDescriptorSchema.extend({
  /** A message of one small part, sent with its announcement: a round trip fewer for a few changes. */
  inline: z
    .base64()
    .max(Math.ceil(INLINE_MESSAGE_BYTES / 3) * 4)
    .optional(),
  /** Apply the message as soon as it is whole, and answer with the result: a round trip fewer again. */
  import: z.boolean().optional(),
});
export type Announcement = z.infer<typeof announcementSchema>;

/** Asking for the outbox, the caller acknowledges what it has received: a Synchronize with nothing to send needs no other call. */
export const outboxRequestSchema = z.object({ receivedNo: z.number().int().min(0).optional() });
export type OutboxRequest = z.infer<typeof outboxRequestSchema>;

export const outboxSchema = z.object({
  message: messageDescriptorSchema.nullable(),
  /** The peer's acknowledgement of our messages, even when it has nothing to send. */
  receivedNo: z.number().int().min(0),
  /** The acknowledgement of the request, when it came with one and was taken (a peer before it leaves this out). */
  acknowledged: z.number().int().min(0).optional(),
});
export type Outbox = z.infer<typeof outboxSchema>;

export const importResultSchema = z.object({
  status: z.enum(['importing', 'applied', 'duplicate', 'stored-for-mapping', 'failed']),
  messageNo: z.number().int(),
  receivedNo: z.number().int(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  counts: z.record(z.string(), z.record(z.string(), z.number())).optional(),
});
export type PeerImportResult = z.infer<typeof importResultSchema>;

export const inboxStateSchema = z.object({
  messageNo: z.number().int(),
  received: z.array(z.number().int()),
  missing: z.array(z.number().int()),
  /** What the import of a whole message announced with `import` came to (a peer before it leaves this out). */
  imported: importResultSchema.optional(),
});
export type InboxState = z.infer<typeof inboxStateSchema>;
