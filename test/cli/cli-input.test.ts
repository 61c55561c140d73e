import { describe, expect, it } from 'vitest';
import { ExactNumber, parseJsonExact } from '../../src/cli/exact-json.js';
import { parseAssignments } from '../../src/cli/object-input.js';
import { formatFields, formatTable } from '../../src/cli/output.js';

describe('CLI input and output, without a host', () => {
  it('reads JSON numbers as their exact text, leaving strings alone', () => {
    const parsed = parseJsonExact(
      '{"price": 0.1000000000000000055511, "qty": -12.50e0, "note": "costs 1.10", "list": [1, true, null]}',
    ) as Record<string, unknown>;
    expect(parsed.price).toEqual(new ExactNumber('0.1000000000000000055511'));
    expect(parsed.qty).toEqual(new ExactNumber('-12.50e0'));
    expect(parsed.note).toBe('costs 1.10');
    expect(parsed.list).toEqual([new ExactNumber('1'), true, null]);
    // Whatever is left over goes to the API as a plain JSON number.
    expect(JSON.stringify({ n: new ExactNumber('2.50') })).toBe('{"n":2.5}');
    expect(() => parseJsonExact('[1, 2')).toThrow(/JSON/);
  });

  it('splits field=value at the first "=", so values may hold one', () => {
    expect(parseAssignments('--set', ['name=A=B', 'comment='])).toEqual([
      ['name', 'A=B'],
      ['comment', ''],
    ]);
    expect(() => parseAssignments('--filter', ['=x'])).toThrow(
      '--filter "=x" must be written as field=value',
    );
  });

  it('aligns tables and key: value lines, numbers to the right, one line per row', () => {
    const table = formatTable(
      [{ header: 'code' }, { header: 'name' }, { header: 'amount', align: 'right' }],
      [
        ['CR-00001', 'Ромашка', '5.00'],
        ['CR-00002', 'Two\nlines', '1000.00'],
      ],
    );
    expect(table).toBe(
      [
        'code      name          amount',
        'CR-00001  Ромашка         5.00',
        'CR-00002  Two ⏎ lines  1000.00',
      ].join('\n'),
    );
    expect(
      formatFields([
        ['ref', 'abc'],
        ['createdIn', 'CR'],
        ['phone', ''],
      ]),
    ).toBe('ref:       abc\ncreatedIn: CR\nphone:');
  });
});
