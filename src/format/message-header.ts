import { z } from 'zod';

/**
 * The message header of 1C's ExchangeMessage package (Header / Confirmation), as the first line of a
 * message; property names as in the package. `MessageNo`/`ReceivedNo` carry exactly-once delivery.
 */
export const ENTERPRISE_DATA_NAMESPACE_PREFIX = 'http://v8.1c.ru/edi/edi_stnd/EnterpriseData/';

export const messageHeaderSchema = z.object({
  Format: z.string().startsWith(ENTERPRISE_DATA_NAMESPACE_PREFIX),
  CreationDate: z.string(),
  Confirmation: z.object({
    ExchangePlan: z.string(),
    To: z.string().min(1),
    From: z.string().min(1),
    MessageNo: z.number().int().min(1),
    ReceivedNo: z.number().int().min(0),
  }),
  AvailableVersion: z.array(z.string()).min(1),
  AvailableObjectTypes: z
    .array(z.object({ Name: z.string(), Sending: z.string().optional(), Receiving: z.string().optional() }))
    .optional(),
  Prefix: z.string().optional(),
  AvailableExtensions: z.array(z.object({ Namespace: z.string(), BaseVersion: z.string() })).optional(),
});

export type MessageHeader = z.infer<typeof messageHeaderSchema>;

/** The last line of a message body: without it the message was cut short. */
export const messageTrailerSchema = z.object({ ObjectCount: z.number().int().min(0) });

export function formatNamespace(version: string): string {
  return `${ENTERPRISE_DATA_NAMESPACE_PREFIX}${version}`;
}

export function formatVersionOf(namespace: string): string {
  return namespace.slice(ENTERPRISE_DATA_NAMESPACE_PREFIX.length);
}
