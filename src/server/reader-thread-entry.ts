import { conversions } from '../apps/conversion/index.js';
import { serveMessageReader } from '../exchange/reader-thread.js';
import type { ApplicationName } from '../platform/metadata.js';

// The message reader thread (exchange/message-reader.ts), with the conversion rules of every application.
serveMessageReader((application) => conversions[application as ApplicationName]);
