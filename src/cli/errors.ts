import type { FieldError } from './api-types.js';

/**
 * Every failure the CLI reports: the API's own errors keep the API's code and body; failures that
 * never reached the API (bad input, an unreachable host) get codes of their own in the same shape,
 * so that `--json` callers read one format.
 */
export class CliError extends Error {
  readonly code: string;
  readonly fields: FieldError[];
  /** A line of advice shown after the message in human output. */
  readonly hint: string | undefined;

  constructor(code: string, message: string, options: { fields?: FieldError[]; hint?: string } = {}) {
    super(message);
    this.name = 'CliError';
    this.code = code;
    this.fields = options.fields ?? [];
    this.hint = options.hint;
  }

  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      ...(this.fields.length > 0 ? { fields: this.fields } : {}),
      ...(this.hint ? { hint: this.hint } : {}),
    };
  }
}

/** Wrong command-line input: a missing option, a malformed `--set`, an unreadable file. */
export class UsageError extends CliError {
  constructor(message: string, options: { fields?: FieldError[]; hint?: string } = {}) {
    super(options.fields?.length ? 'validation_failed' : 'usage', message, options);
    this.name = 'UsageError';
  }
}

/** An error response of the ibsync API, with its body exactly as the host sent it. */
export class ApiError extends CliError {
  readonly status: number;
  readonly body: Record<string, unknown>;

  constructor(status: number, body: { code: string; message: string; fields?: FieldError[] }, hint?: string) {
    super(body.code, body.message, { fields: body.fields ?? [], ...(hint ? { hint } : {}) });
    this.name = 'ApiError';
    this.status = status;
    this.body = body;
  }

  override toJSON(): Record<string, unknown> {
    return this.body;
  }
}

/** Nothing answered at the URL: refused, unknown name, timeout. */
export class HostUnreachableError extends CliError {
  constructor(message: string, hint: string) {
    super('host_unreachable', message, { hint });
    this.name = 'HostUnreachableError';
  }
}

/** Something answered, but not the ibsync API (another web server, a proxy's error page). */
export class NotIbsyncHostError extends CliError {
  constructor(message: string, hint: string) {
    super('not_ibsync_host', message, { hint });
    this.name = 'NotIbsyncHostError';
  }
}

/**
 * A failure the API names with a cause code (the connection test and connect, seed S3): the code leads
 * the human message, and `--json` callers get the API's own body.
 */
export class CauseError extends CliError {
  readonly body: Record<string, unknown>;

  constructor(cause: string, message: string, body: Record<string, unknown>, hint?: string) {
    super(cause, `${cause}: ${message}`, hint ? { hint } : {});
    this.name = 'CauseError';
    this.body = body;
  }

  override toJSON(): Record<string, unknown> {
    return this.body;
  }
}

/** The command has already printed its outcome (e.g. a failed test's JSON): only the exit code is left. */
export class ReportedFailure extends CliError {
  constructor(code: string, message: string) {
    super(code, message);
    this.name = 'ReportedFailure';
  }
}
