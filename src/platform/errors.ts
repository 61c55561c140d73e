/**
 * Every failure a user can see carries a stable code (for scripts and translations), a message that
 * names the cause and, where possible, the fix, and an HTTP status. Field-level problems travel in
 * `fields` so forms and the CLI can point at the exact input.
 */
export type ErrorCode =
  | 'bad_request'
  | 'validation_failed'
  | 'unknown_type'
  | 'unknown_field'
  | 'not_found'
  | 'conflict'
  | 'duplicate_number'
  | 'duplicate_code'
  | 'version_conflict'
  | 'still_referenced'
  | 'unknown_infobase'
  | 'infobase_exists'
  | 'bad_infobase_name'
  | 'unknown_application'
  | 'authentication_required'
  | 'bad_credentials'
  | 'account_locked'
  | 'passwordless_remote'
  | 'loopback_only'
  | 'forbidden'
  | 'user_exists'
  | 'last_admin'
  | 'bad_prefix'
  | 'payload_too_large'
  | 'internal_error'
  | (string & {});

export type FieldError = { field: string; code: string; message: string };

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly fields: FieldError[] | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: {
      status?: number;
      fields?: FieldError[];
      details?: Record<string, unknown>;
      cause?: unknown;
    } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = options.status ?? 400;
    this.fields = options.fields;
    this.details = options.details;
  }

  toJSON(): { code: string; message: string; fields?: FieldError[]; details?: Record<string, unknown> } {
    return {
      code: this.code,
      message: this.message,
      ...(this.fields ? { fields: this.fields } : {}),
      ...(this.details ? { details: this.details } : {}),
    };
  }
}

export function validationError(fields: FieldError[], subject: string): AppError {
  const first = fields[0];
  const summary = first ? `${first.field}: ${first.message}` : 'invalid input';
  const more = fields.length > 1 ? ` (and ${fields.length - 1} more)` : '';
  return new AppError('validation_failed', `${subject} is not valid: ${summary}${more}`, {
    status: 422,
    fields,
  });
}

export function notFound(what: string): AppError {
  return new AppError('not_found', `${what} does not exist`, { status: 404 });
}
