import { CliError, ReportedFailure } from './errors.js';

/** `isTTY` is set on a terminal: long operations then draw a progress bar there. */
export type TextSink = { write(text: string): unknown; isTTY?: boolean };

/** Where a command writes and what environment it reads: the process's, or a test's. */
export type CliIo = {
  stdout: TextSink;
  stderr: TextSink;
  env: Readonly<Record<string, string | undefined>>;
};

export type Column = { header: string; align?: 'left' | 'right' };

const width = (text: string) => [...text].length;

/** An aligned table: a header row, then one row per item, columns two spaces apart. */
export function formatTable(columns: readonly Column[], rawRows: readonly (readonly string[])[]): string {
  const rows = rawRows.map((row) => row.map(oneLine));
  const widths = columns.map((column, index) =>
    Math.max(width(column.header), ...rows.map((row) => width(row[index] ?? ''))),
  );
  const line = (cells: readonly string[]) =>
    columns
      .map((column, index) => {
        const cell = cells[index] ?? '';
        const pad = ' '.repeat((widths[index] ?? 0) - width(cell));
        return column.align === 'right' ? pad + cell : cell + pad;
      })
      .join('  ')
      .trimEnd();
  return [line(columns.map((column) => column.header)), ...rows.map((row) => line(row.map(oneLine)))].join(
    '\n',
  );
}

/** `key: value` lines with the values aligned. */
export function formatFields(pairs: readonly (readonly [string, string])[]): string {
  const keyWidth = Math.max(0, ...pairs.map(([key]) => width(key)));
  return pairs
    .map(([key, value]) => `${key}:${' '.repeat(keyWidth - width(key) + 1)}${oneLine(value)}`.trimEnd())
    .join('\n');
}

/** A table cell or value line must stay one line, whatever a comment holds. */
function oneLine(text: string): string {
  return text.replace(/\r?\n/g, ' ⏎ ');
}

export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/** What a command writes: human text or the API's JSON, and warnings and errors on stderr. */
export type Output = {
  readonly json: boolean;
  /** Prints the value as JSON in --json mode, or the human text otherwise. */
  result(value: unknown, human: () => string): void;
  line(text: string): void;
  warn(text: string): void;
  /** Something worth knowing that is neither a result nor a problem, on stderr. */
  note(text: string): void;
  error(error: unknown): void;
};

export function createOutput(io: CliIo, json: boolean): Output {
  return {
    json,
    result(value, human) {
      if (json) io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
      else io.stdout.write(`${human()}\n`);
    },
    line(text) {
      io.stdout.write(`${text}\n`);
    },
    warn(text) {
      io.stderr.write(`warning: ${text}\n`);
    },
    note(text) {
      io.stderr.write(`note: ${text}\n`);
    },
    error(error) {
      if (error instanceof ReportedFailure) return;
      io.stderr.write(json ? `${JSON.stringify(errorJson(error), null, 2)}\n` : humanError(error));
    },
  };
}

function errorJson(error: unknown): unknown {
  if (error instanceof CliError) return error.toJSON();
  return { code: 'cli_failure', message: error instanceof Error ? error.message : String(error) };
}

function humanError(error: unknown): string {
  if (!(error instanceof CliError)) {
    // A bug in the CLI itself: the stack is what its maintainers need.
    return `error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`;
  }
  const lines = [`error: ${error.message}`];
  for (const field of error.fields) lines.push(`  ${field.field}: ${field.message}`);
  if (error.hint) lines.push(`hint: ${error.hint}`);
  return `${lines.join('\n')}\n`;
}
