import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountingConversion } from '../../src/apps/conversion/accounting-conversion.js';
import { seedDemoCrm } from '../../src/apps/demo/seed-demo.js';
import { readMessageTexts } from '../../src/exchange/message-codec.js';
import { identifyingPart, openMessage, type ReadPurpose } from '../../src/exchange/message-reader.js';
import { createMappingStage, type MappingStage } from '../helpers/sync-pair.js';

type Json = Record<string, unknown>;

/** What an analysis reads of a line parsed whole: the object's AdditionalInfo and key properties. */
function identifyingOf(line: string): Json {
  const [type, object] = Object.entries(JSON.parse(line) as Json)[0]! as [string, Json];
  return { [type]: { AdditionalInfo: object.AdditionalInfo, КлючевыеСвойства: object.КлючевыеСвойства } };
}

describe('the part of a line an analysis reads', () => {
  it('cuts after the key properties, whatever the strings before hold', () => {
    const line = JSON.stringify({
      'Документ.СчетПокупателю': {
        AdditionalInfo: {
          ibsync: { deleted: false, posted: true, comment: 'а } ] " , {"КлючевыеСвойства":{ \\ [', n: 1.5 },
        },
        КлючевыеСвойства: {
          Ссылка: '018ced73-3a68-7000-a10a-7ff56eaee207',
          Номер: 'CR00-000001',
          Организация: { Ссылка: '018c5106-0c00-7000-8b25-9544c4af3ce1', Наименование: 'ООО "Вектор}"' },
        },
        Сумма: '241672.35',
        Товары: [{ НомерСтрокиДокумента: 1, Количество: '32.000' }],
      },
    });
    const part = identifyingPart(line);
    expect(part).toBeDefined();
    expect(part!.length).toBeLessThan(line.indexOf('"Сумма"') + 3);
    expect(JSON.parse(part!)).toEqual(identifyingOf(line));
  });

  it('reads scalars and arrays in AdditionalInfo too', () => {
    for (const info of [7, 'текст, с запятой}', true, null, [1, [2, '}']]]) {
      const line = JSON.stringify({
        'Справочник.Валюты': { AdditionalInfo: info, КлючевыеСвойства: { Ссылка: 'r' } },
      });
      expect(JSON.parse(identifyingPart(line)!)).toEqual(identifyingOf(line));
    }
  });

  it('cuts any values in that layout exactly where a whole parse would end them', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), fc.jsonValue(), (info, keys, rest) => {
        const line = JSON.stringify({
          'Документ.X': { AdditionalInfo: info, КлючевыеСвойства: keys, Товары: rest },
        });
        expect(JSON.parse(identifyingPart(line)!)).toEqual(identifyingOf(line));
      }),
      { numRuns: 500 },
    );
  });

  it('leaves any other layout to be parsed whole', () => {
    const keysFirst = JSON.stringify({
      'Справочник.Валюты': { КлючевыеСвойства: { Ссылка: 'r' }, AdditionalInfo: {} },
    });
    const spaced = JSON.stringify(
      { 'Справочник.Валюты': { AdditionalInfo: {}, КлючевыеСвойства: { Ссылка: 'r' } } },
      null,
      1,
    );
    const deletion = JSON.stringify({ УдалениеОбъекта: { СсылкаНаОбъект: { СсылкаНаОбъект: {} } } });
    const whole = JSON.stringify({
      'Справочник.Валюты': { AdditionalInfo: { a: '"x' }, КлючевыеСвойства: { Ссылка: 'r' } },
    });
    for (const line of [
      keysFirst,
      spaced,
      deletion,
      '{"Trailer":{"ObjectCount":3}}',
      '{"Header":{"Format":"x"}}',
      whole.slice(0, whole.indexOf('Ссылка')),
      whole.slice(0, 30),
      'not json at all',
      '',
    ]) {
      expect(identifyingPart(line), line).toBeUndefined();
    }
  });
});

describe('an analysis and an import of a line whose object is broken after its key properties', () => {
  const currency = JSON.stringify({
    'Справочник.Валюты': {
      AdditionalInfo: { ibsync: { deleted: false } },
      КлючевыеСвойства: {
        Ссылка: '018c5106-0c00-7000-a5f3-bb318bc52d12',
        ДанныеКлассификатора: { Код: '643', Наименование: 'руб.' },
      },
    },
  });
  const broken = `${currency.slice(0, -2)},"НаименованиеПолное":}}`;
  const read = async (purpose: ReadPurpose) => {
    const text = ['{"Header":{}}', broken, '{"Trailer":{"ObjectCount":1}}'].join('\n');
    const opened = await openMessage(
      (async function* () {
        yield gzipSync(text);
      })(),
      0,
      { rules: accountingConversion, application: 'accounting', purpose, dialect: 'sqlite' },
    );
    const objects: unknown[] = [];
    for await (const object of opened.body) objects.push(object.incoming);
    return objects;
  };

  it('the analysis identifies the object: it reads no more than that', async () => {
    expect(await read('analysis')).toEqual([
      expect.objectContaining({ localType: 'currency', peerRef: '018c5106-0c00-7000-a5f3-bb318bc52d12' }),
    ]);
  });

  it('the import, which reads it all, refuses the whole message', async () => {
    await expect(read('import')).rejects.toMatchObject({
      code: 'bad_message',
      message: expect.stringContaining('line 2 is not JSON'),
    });
  });
});

/** The layout the cut relies on is the one the export writes: every object line of a real message is cut. */
describe('the lines the export writes', () => {
  let stage: MappingStage;
  const lines: string[] = [];

  beforeAll(async () => {
    stage = await createMappingStage('sqlite', {
      before: async ({ crm }) => {
        await seedDemoCrm(await crm.host.get('crm'));
      },
    });
    const [message] = await stage.bpExchange.messages.list(stage.peerSettingId, 'in');
    for await (const text of readMessageTexts(
      stage.bpExchange.messages.parts(stage.peerSettingId, 'in', message!.messageNo),
    )) {
      if (text !== '') lines.push(text);
    }
  });
  afterAll(() => stage?.cleanup());

  it('are each cut after their key properties, to the same AdditionalInfo and key properties', () => {
    const body = lines.slice(1, -1);
    expect(body.length).toBeGreaterThan(50);
    for (const line of body) {
      const part = identifyingPart(line);
      expect(part, line.slice(0, 200)).toBeDefined();
      expect(JSON.parse(part!)).toEqual(identifyingOf(line));
    }
    expect(identifyingPart(lines[0]!)).toBeUndefined();
    expect(identifyingPart(lines.at(-1)!)).toBeUndefined();
  });
});
