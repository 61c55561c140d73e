/**
 * A number as written in JSON, kept as its text: money and quantities are exact decimals, and
 * `JSON.parse` would turn them into binary floats. Serializes back as a plain JSON number.
 */
export class ExactNumber {
  constructor(readonly text: string) {}

  toJSON(): number {
    return Number(this.text);
  }
}

const TOKEN = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;
// A private-use character cannot come from valid input, so it marks the numbers.
const MARK = '\uE000';

/** `JSON.parse`, except that every number becomes an {@link ExactNumber} holding its original text. */
export function parseJsonExact(text: string): unknown {
  // Strings are matched first and kept as they are, so only number tokens outside strings are quoted.
  const marked = text.replace(TOKEN, (token) => (token.startsWith('"') ? token : `"${MARK}${token}"`));
  try {
    return JSON.parse(marked, (_key, value: unknown) =>
      typeof value === 'string' && value.startsWith(MARK) ? new ExactNumber(value.slice(1)) : value,
    );
  } catch (error) {
    // Report the syntax error with positions in the text as the user wrote it.
    JSON.parse(text);
    throw error;
  }
}
