import { randomBytes } from 'node:crypto';
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
      ...Array.from({ length: 5000 }, (_, index) => ({ index, text: `строка ${index}` })),
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

  it('writes and reads every character as UTF-8, astral ones too, and reads bytes that are not UTF-8 as U+FFFD', async () => {
    // Long lines take the transcoder, short ones the plain way: both must give the same text.
    const lines = [
      { Header: { n: 1 } },
      { name: `Ёлка 😀 ${'Контрагент\u0000\uFFFF'.repeat(40)}` },
      { name: 'ё😀' },
      { lone: `${'ж'.repeat(300)}\ud800` },
    ];
    const parts: Buffer[] = [];
    async function* source() {
      yield* lines;
    }
    await writeMessage(source(), async (_, data) => {
      parts.push(data);
    });
    const read = await collect(readMessageLines(once(...parts)));
    expect(read).toEqual(lines);
    // A well-formed writer escapes a lone surrogate, so it survives the trip as a string.
    expect((read[3] as { lone: string }).lone.endsWith('\ud800')).toBe(true);

    const broken = Buffer.concat([
      Buffer.from(`{"name":"${'я'.repeat(300)}`),
      Buffer.from([0xff, 0xfe, 0xe2, 0x82]),
      Buffer.from('"}\n{"b":"\\u0001"}'),
    ]);
    expect(await collect(readMessageLines(once(gzipSync(broken))))).toEqual([
      { name: `${'я'.repeat(300)}\ufffd\ufffd\ufffd` },
      { b: '\u0001' },
    ]);
  });

  it('decodes a long run of lines across chunks whole, with CRLF ends and one line not UTF-8 among them', async () => {
    const lines = Array.from({ length: 5000 }, (_, index) => ({
      index,
      name: `Ромашка ${'ё'.repeat(index % 90)}`,
    }));
    const texts = lines.map((line, index) => `${JSON.stringify(line)}${index % 7 === 0 ? '\r\n' : '\n'}`);
    const bad = Buffer.concat([
      Buffer.from('{"index":-1,"name":"Ромашка '),
      Buffer.from([0xff]),
      Buffer.from('"}\n'),
    ]);
    const data = Buffer.concat([
      Buffer.from(texts.slice(0, 2500).join('')),
      bad,
      Buffer.from(texts.slice(2500).join('')),
    ]);
    expect(data.length).toBeGreaterThan(512 * 1024);
    expect(await collect(readMessageLines(once(gzipSync(data))))).toEqual([
      ...lines.slice(0, 2500),
      { index: -1, name: 'Ромашка \ufffd' },
      ...lines.slice(2500),
    ]);
  });

  it('takes CRLF line ends and blank lines, and names the line that is not JSON', async () => {
    const text = '{"a":1}\r\n\n{"b":"ё"}\r\n{"c":3}';
    expect(await collect(readMessageLines(once(gzipSync(text))))).toEqual([{ a: 1 }, { b: 'ё' }, { c: 3 }]);
    await expect(collect(readMessageLines(once(gzipSync('{"a":1}\n\nnot json\n'))))).rejects.toMatchObject({
      code: 'bad_message',
      message: expect.stringContaining('line 3'),
    });
  });

  it('reads a small message of one part at once and a large one as a stream, alike, and closes its source', async () => {
    const write = async (lines: unknown[]) => {
      const parts: Buffer[] = [];
      async function* source() {
        yield* lines;
      }
      await writeMessage(source(), async (_, data) => {
        parts.push(data);
      });
      return parts;
    };
    const small = [{ Header: { n: 1 } }, { name: 'Ромашка' }, { Trailer: { ObjectCount: 1 } }];
    // Random letters do not compress: one part far above the size read at once.
    const noise = [...randomBytes(200_000)].map((byte) => String.fromCharCode(0x430 + (byte % 32)));
    const large = [{ Header: { n: 2 } }, { text: noise.join('') }, { Trailer: { ObjectCount: 1 } }];
    for (const lines of [small, large]) {
      const parts = await write(lines);
      expect(parts).toHaveLength(1);
      expect(await collect(readMessageLines(once(...parts)))).toEqual(lines);
      let closed = false;
      async function* watched() {
        try {
          yield* parts;
        } finally {
          closed = true;
        }
      }
      for await (const _ of readMessageLines(watched())) break;
      expect(closed).toBe(true);
      const cut = parts[0]!.subarray(0, parts[0]!.length - 9);
      await expect(collect(readMessageLines(once(cut)))).rejects.toMatchObject({ code: 'bad_message' });
    }
    expect((await write(large))[0]!.length).toBeGreaterThan(64 * 1024);
  });

  it('inflates at once only what its gzip trailer says is small, and never more than that', async () => {
    // Highly compressible: a small part that inflates to 5 MB goes through the stream.
    const large = [{ text: 'a'.repeat(5_000_000) }];
    const part = gzipSync(`${JSON.stringify(large[0])}\n`);
    expect(part.length).toBeLessThan(64 * 1024);
    expect(await collect(readMessageLines(once(part)))).toEqual(large);
    // A trailer that lies about the size does not get past the cap.
    const forged = Buffer.from(part);
    forged.writeUInt32LE(100, forged.length - 4);
    await expect(collect(readMessageLines(once(forged)))).rejects.toMatchObject({ code: 'bad_message' });
  });
});
