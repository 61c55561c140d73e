import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readMessageLines, writeMessage } from '../../src/exchange/message-codec.js';

async function collect(lines: AsyncIterable<unknown>): Promise<unknown[]> {
  const all: unknown[] = [];
  for await (const line of lines) all.push(line);
  return all;
}

async function* once(...parts: Buffer[]) {
  yield* parts;
}

/** The wire is cut into parts and decompressed into chunks of its own size: a line may span any of them. */
describe('message lines: written in parts, read back whole', () => {
  it('gives back every line, however long, across parts and decompressed chunks', async () => {
    const lines = [
      { Header: { n: 1 } },
      { long: 'Контрагент «Ёлка»'.repeat(20_000) },
      ...Array.from({ length: 3000 }, (_, index) => ({ index, text: `строка ${index}` })),
      { Trailer: { ObjectCount: 3001 } },
    ];
    const parts: Buffer[] = [];
    async function* source() {
      yield* lines;
    }
    await writeMessage(
      source(),
      async (_, data) => {
        parts.push(data);
      },
      { partSize: 997 },
    );
    expect(parts.length).toBeGreaterThan(10);
    expect(await collect(readMessageLines(once(...parts)))).toEqual(lines);
  });

  it('takes CRLF line ends and blank lines, and names the line that is not JSON', async () => {
    const text = '{"a":1}\r\n\n{"b":"ё"}\r\n{"c":3}';
    expect(await collect(readMessageLines(once(gzipSync(text))))).toEqual([{ a: 1 }, { b: 'ё' }, { c: 3 }]);
    await expect(collect(readMessageLines(once(gzipSync('{"a":1}\n\nnot json\n'))))).rejects.toMatchObject({
      code: 'bad_message',
      message: expect.stringContaining('line 3'),
    });
  });
});
