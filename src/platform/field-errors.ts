import type { z } from 'zod';
import type { FieldError } from './errors.js';

/** Turns Zod issues into field errors whose messages a person can act on without reading a schema. */
export function fieldErrorsFromZod(issues: readonly z.core.$ZodIssue[]): FieldError[] {
  const errors: FieldError[] = [];
  for (const issue of issues) {
    const field = formatPath(issue.path);
    switch (issue.code) {
      case 'unrecognized_keys':
        for (const key of issue.keys) {
          errors.push({
            field: field ? `${field}.${key}` : key,
            code: 'unknown_field',
            message: `is not a field of this object`,
          });
        }
        break;
      case 'invalid_type':
        errors.push(
          issue.input === undefined
            ? { field, code: 'required', message: 'is required' }
            : {
                field,
                code: 'wrong_type',
                message: `must be ${article(issue.expected)}, got ${describe(issue.input)}`,
              },
        );
        break;
      case 'too_big':
        errors.push(
          issue.origin === 'string'
            ? {
                field,
                code: 'too_long',
                message: `must be at most ${issue.maximum} characters, got ${lengthOf(issue.input)}`,
              }
            : { field, code: 'too_big', message: `must be at most ${issue.maximum}` },
        );
        break;
      case 'too_small':
        errors.push(
          issue.origin === 'string' && issue.minimum === 1
            ? { field, code: 'required', message: 'must not be empty' }
            : issue.origin === 'string'
              ? { field, code: 'too_short', message: `must be at least ${issue.minimum} characters` }
              : { field, code: 'too_small', message: `must be at least ${issue.minimum}` },
        );
        break;
      case 'invalid_value':
        errors.push({
          field,
          code: 'bad_enum',
          message: `must be one of: ${issue.values.map(String).join(', ')}`,
        });
        break;
      default:
        errors.push({
          field,
          code: issue.code === 'custom' ? 'invalid' : issue.code,
          message: issue.message,
        });
    }
  }
  return errors;
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => {
    if (typeof key === 'number') return `${text}[${key}]`;
    return text ? `${text}.${String(key)}` : String(key);
  }, '');
}

function article(expected: string): string {
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'string'
    ? `the text "${truncate(value)}"`
    : `${typeof value} ${truncate(JSON.stringify(value))}`;
}

function truncate(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

function lengthOf(value: unknown): string {
  return typeof value === 'string' ? String(value.length) : 'more';
}

/** Parses with Zod, reporting failures as field errors (the offending input is kept to describe it). */
export function safeParseFields<T>(
  schema: z.ZodType<T>,
  input: unknown,
): { success: true; data: T } | { success: false; errors: FieldError[] } {
  // Reporting the input costs Zod its fast path for every parse; only a failed parse needs it.
  const fast = schema.safeParse(input);
  if (fast.success) return { success: true, data: fast.data };
  const result = schema.safeParse(input, { reportInput: true });
  return result.success
    ? { success: true, data: result.data }
    : { success: false, errors: fieldErrorsFromZod(result.error.issues) };
}
