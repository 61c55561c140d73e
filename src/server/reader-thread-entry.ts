import { conversions } from '../apps/conversion/index.js';
import { applications } from '../apps/index.js';
import { serveMessageReader } from '../exchange/reader-thread.js';
import type { ApplicationName } from '../platform/metadata.js';

// The message reader thread (exchange/message-reader.ts), with every application and its conversion rules.
serveMessageReader(
  (application) => conversions[application as ApplicationName],
  (application) => applications.find((app) => app.name === application),
);
