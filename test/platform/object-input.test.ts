import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applications } from '../../src/apps/index.js';
import { safeParseFields } from '../../src/platform/field-errors.js';
import type { FieldDef, FieldType, ObjectTypeDef } from '../../src/platform/metadata.js';
import { fastObjectInput, parseObjectInput } from '../../src/platform/objects/object-input.js';
import { objectInputSchema } from '../../src/platform/objects/object-schema.js';

const SAMPLES = [
  '7701234567',
  '770101001',
  '643',
  '796',
  'AB',
  '00',
  'a@b.ru',
  '40702810900000000001',
  '044525225',
  'ООО "Ромашка"',
  '',
  ' ',
  'x'.repeat(151),
];

function arbitraryValue(type: FieldType): fc.Arbitrary<unknown> {
  const noise = fc.oneof(
    fc.constant(null),
    fc.constant(undefined),
    fc.integer(),
    fc.boolean(),
    fc.string({ maxLength: 8 }),
  );
  switch (type.kind) {
    case 'string':
      return fc.oneof(fc.constantFrom(...SAMPLES), fc.string({ maxLength: type.maxLength + 2 }), noise);
    case 'decimal':
      return fc.oneof(
        fc.stringMatching(/^-?\d{1,16}(\.\d{0,4})?$/),
        fc.constantFrom('1,5', ' 2.50', '+1', '.5', '1e3', '007.10', '-0'),
        fc.double({ noNaN: false }),
        fc.integer(),
        noise,
      );
    case 'integer':
      return fc.oneof(fc.integer(), fc.double(), fc.constant(2 ** 60), noise);
    case 'boolean':
      return fc.oneof(fc.boolean(), noise);
    case 'date':
      return fc.oneof(
        fc.constantFrom('2026-02-28', '2026-02-30', '2024-02-29', '2026-1-1', '2026-01-01T00:00'),
        noise,
      );
    case 'datetime':
      return fc.oneof(
        fc.constantFrom(
          '2026-02-28T10:11:12',
          '2026-02-28 10:11',
          '2026-02-28',
          ' 2026-02-28T10:11:12 ',
          '2026-02-28T24:00:00',
          '2026-02-30T10:00:00',
        ),
        noise,
      );
    case 'ref':
      return fc.oneof(
        fc.uuid(),
        fc.uuid().map((uuid) => uuid.toUpperCase()),
        fc.constantFrom('not-a-ref'),
        noise,
      );
    case 'enum':
      return fc.oneof(fc.constantFrom(...type.values), fc.constantFrom('other', ''), noise);
  }
}

function objectOf(fields: readonly FieldDef[], extra: Record<string, fc.Arbitrary<unknown>>) {
  const shape: Record<string, fc.Arbitrary<unknown>> = { ...extra };
  for (const field of fields) shape[field.name] = arbitraryValue(field.type);
  return fc.record(shape, { requiredKeys: [] });
}

function inputOf(def: ObjectTypeDef, mode: 'create' | 'update'): fc.Arbitrary<unknown> {
  const extra: Record<string, fc.Arbitrary<unknown>> = {
    deleted: fc.oneof(fc.boolean(), fc.constant('yes')),
    ...(mode === 'create'
      ? { ref: arbitraryValue({ kind: 'ref', to: def.name }) }
      : { version: fc.integer() }),
    ...(def.kind === 'catalog'
      ? {
          code: fc.oneof(fc.constantFrom('796', 'CR-00001', '', 'x'.repeat(21)), fc.string({ maxLength: 4 })),
        }
      : {
          number: fc.oneof(fc.constantFrom('CR00-000001', '', 'x'.repeat(31))),
          date: arbitraryValue({ kind: 'datetime' }),
          posted: arbitraryValue({ kind: 'boolean' }),
        }),
  };
  for (const section of def.tabularSections ?? []) {
    extra[section.name] = fc.oneof(
      fc.array(objectOf(section.fields, {}), { maxLength: 3 }),
      fc.constant('lines'),
      fc.array(fc.record({ unknown: fc.string() }), { maxLength: 1 }),
    );
  }
  return fc.oneof(
    { weight: 8, arbitrary: objectOf(def.fields, extra) },
    { weight: 1, arbitrary: objectOf(def.fields, { ...extra, unexpected: fc.string() }) },
    { weight: 1, arbitrary: fc.oneof(fc.constant(null), fc.constant([]), fc.string()) },
  );
}

describe('object input: the fast path answers exactly as the schema', () => {
  const types = applications.flatMap((app) => app.types.map((def) => ({ app: app.name, def })));

  for (const { app, def } of types) {
    for (const mode of ['create', 'update'] as const) {
      it(`${app} ${def.name} (${mode})`, () => {
        fc.assert(
          fc.property(inputOf(def, mode), (input) => {
            const fast = fastObjectInput(def, mode, input);
            const zod = safeParseFields(objectInputSchema(def, mode), input);
            if (fast !== undefined) {
              expect(zod.success).toBe(true);
              if (zod.success) {
                expect(fast).toStrictEqual(zod.data);
                expect(JSON.stringify(Object.keys(fast))).toBe(
                  JSON.stringify(Object.keys(zod.data as object)),
                );
              }
            }
            const parsed = parseObjectInput(def, mode, input);
            expect(parsed.success).toBe(zod.success);
          }),
          { numRuns: 400 },
        );
      });
    }
  }

  it('takes the fast path for a well-formed document with lines', () => {
    const sale = applications[1].types.find((def) => def.name === 'sale')!;
    const input = {
      ref: '6F1C2A44-0000-4000-8000-000000000001',
      number: 'CR00-000001',
      date: '2026-03-01 10:00',
      organization: '6f1c2a44-0000-4000-8000-000000000002',
      counterparty: '6f1c2a44-0000-4000-8000-000000000003',
      currency: '6f1c2a44-0000-4000-8000-000000000004',
      comment: null,
      lines: [
        { product: '6f1c2a44-0000-4000-8000-000000000005', quantity: '2', price: '10.5', vatRate: 'vat22' },
      ],
    };
    const fast = fastObjectInput(sale, 'create', input);
    if (!fast) throw new Error('a well-formed sale should take the fast path');
    expect(safeParseFields(objectInputSchema(sale, 'create'), input)).toEqual({ success: true, data: fast });
    expect(fast.ref).toBe('6f1c2a44-0000-4000-8000-000000000001');
    expect(fast.date).toBe('2026-03-01T10:00:00');
    expect((fast.lines as Record<string, unknown>[])[0]).toEqual({
      product: '6f1c2a44-0000-4000-8000-000000000005',
      quantity: '2.000',
      price: '10.50',
      vatRate: 'vat22',
    });
  });
});
