import type { ApplicationDef, ObjectTypeDef } from '../platform/metadata.js';
import { counterparty, sharedCatalogs } from './shared/catalogs.js';
import { sharedDocuments } from './shared/documents.js';
import { date, field, label, money, oneOf, ref, str } from './shared/fields.js';

/** What a CRM has and accounting does not need; never exchanged. */
const partner: ObjectTypeDef = {
  name: 'partner',
  kind: 'catalog',
  label: label('Partner', 'Партнер'),
  pluralLabel: label('Partners', 'Партнеры'),
  fields: [
    field('name', 'Name', 'Наименование', str(150), { required: true }),
    field('fullName', 'Full name', 'Полное наименование', str(500)),
    field(
      'relationship',
      'Relationship',
      'Отношения',
      oneOf(['client', 'prospect', 'supplier', 'other'], {
        client: label('Client', 'Клиент'),
        prospect: label('Prospect', 'Потенциальный клиент'),
        supplier: label('Supplier', 'Поставщик'),
        other: label('Other', 'Прочие отношения'),
      }),
      { default: 'client' },
    ),
    field('comment', 'Comment', 'Комментарий', str(1000, { multiline: true })),
  ],
  searchFields: [['name']],
  presentation: ['name'],
};

const contactPerson: ObjectTypeDef = {
  name: 'contact-person',
  kind: 'catalog',
  label: label('Contact person', 'Контактное лицо'),
  pluralLabel: label('Contact persons', 'Контактные лица'),
  fields: [
    field('name', 'Name', 'ФИО', str(150), { required: true }),
    field('partner', 'Partner', 'Партнер', ref('partner'), { required: true }),
    field('position', 'Position', 'Должность', str(100)),
    field('phone', 'Phone', 'Телефон', str(50)),
    field('email', 'Email', 'Электронная почта', str(100)),
  ],
  presentation: ['name'],
};

export const DEAL_STAGES = ['lead', 'qualification', 'proposal', 'negotiation', 'won', 'lost'] as const;

const deal: ObjectTypeDef = {
  name: 'deal',
  kind: 'catalog',
  label: label('Deal', 'Сделка'),
  pluralLabel: label('Deals', 'Сделки'),
  fields: [
    field('name', 'Name', 'Наименование', str(150), { required: true }),
    field('partner', 'Partner', 'Партнер', ref('partner'), { required: true }),
    field('counterparty', 'Counterparty', 'Контрагент', ref('counterparty')),
    field(
      'stage',
      'Stage',
      'Этап',
      oneOf(DEAL_STAGES, {
        lead: label('Lead', 'Первичный интерес'),
        qualification: label('Qualification', 'Квалификация'),
        proposal: label('Proposal', 'Коммерческое предложение'),
        negotiation: label('Negotiation', 'Переговоры'),
        won: label('Won', 'Выиграна'),
        lost: label('Lost', 'Проиграна'),
      }),
      { required: true, default: 'lead' },
    ),
    field('amount', 'Expected amount', 'Ожидаемая сумма', money),
    field('currency', 'Currency', 'Валюта', ref('currency')),
    field('closeDate', 'Expected close date', 'Планируемая дата закрытия', date),
    field('contactPerson', 'Contact person', 'Контактное лицо', ref('contact-person')),
  ],
  presentation: ['name'],
};

/** In the CRM a counterparty belongs to a partner: the link stays in the CRM. */
const crmCounterparty: ObjectTypeDef = {
  ...counterparty,
  fields: [...counterparty.fields, field('partner', 'Partner', 'Партнер', ref('partner'))],
};

export const crm: ApplicationDef = {
  name: 'crm',
  label: label('CRM', '1С:CRM'),
  version: '3.1.0',
  types: [
    ...sharedCatalogs.map((def) => (def.name === 'counterparty' ? crmCounterparty : def)),
    partner,
    contactPerson,
    deal,
    ...sharedDocuments,
  ],
};
