import type { contractKinds, counterpartyKinds, productKinds } from '../shared/catalogs.js';
import type { VatRate } from '../shared/vat.js';

/**
 * The shape of the demo data: plain records that name each other by a `key` (units and currencies by
 * their code), never by ref, so that the data stays readable and the platform assigns refs, codes,
 * numbers and totals when the seed writes it.
 */
export type DemoKey = string;

export type DemoUnit = { code: string; name: string; fullName: string };

export type DemoCurrency = { code: string; name: string; fullName: string };

export type DemoOrganization = {
  key: DemoKey;
  name: string;
  fullName: string;
  inn: string;
  kpp?: string;
  prefix?: string;
};

export type DemoPartner = {
  key: DemoKey;
  name: string;
  fullName?: string;
  relationship: 'client' | 'prospect' | 'supplier' | 'other';
  comment?: string;
};

export type DemoCounterparty = {
  key: DemoKey;
  name: string;
  fullName?: string;
  inn?: string;
  kpp?: string;
  kind?: (typeof counterpartyKinds)[number];
  /** OKSM code; Russia (643) when absent. */
  country?: string;
  phone?: string;
  email?: string;
  address?: string;
  /** CRM only: the partner the counterparty belongs to. */
  partner?: DemoKey;
};

export type DemoContactPerson = {
  key: DemoKey;
  name: string;
  partner: DemoKey;
  position?: string;
  phone?: string;
  email?: string;
};

export type DemoDeal = {
  key: DemoKey;
  name: string;
  partner: DemoKey;
  counterparty?: DemoKey;
  stage: 'lead' | 'qualification' | 'proposal' | 'negotiation' | 'won' | 'lost';
  amount?: string;
  currency?: string;
  /** Days from the seeding day: negative for deals already closed. */
  closeInDays?: number;
  contactPerson?: DemoKey;
};

export type DemoBankAccount = {
  key: DemoKey;
  name: string;
  /** Exactly one owner. */
  organization?: DemoKey;
  counterparty?: DemoKey;
  number: string;
  bic: string;
  bank: string;
  currency: string;
  /** The organization's account that its documents in this currency name by default. */
  main?: boolean;
};

export type DemoContract = {
  key: DemoKey;
  name: string;
  counterparty: DemoKey;
  organization: DemoKey;
  kind: (typeof contractKinds)[number];
  number: string;
  date: string;
  currency: string;
};

export type DemoProduct = {
  key: DemoKey;
  name: string;
  fullName?: string;
  sku?: string;
  kind: (typeof productKinds)[number];
  unit: string;
  vatRate: VatRate;
};

/** A document line; unit and VAT rate come from the product unless the line says otherwise. */
export type DemoLine = { product: DemoKey; quantity: string; price: string; vatRate?: VatRate };

/** Documents are dated relative to the seeding day, so a fresh demo always shows the last few months. */
type DemoDated = {
  key: DemoKey;
  daysAgo: number;
  /** Local time of day, HH:mm:ss. */
  time: string;
  /** Posted unless false: a draft. */
  posted?: boolean;
  comment?: string;
};

export type DemoParties = {
  organization: DemoKey;
  counterparty: DemoKey;
  contract?: DemoKey;
  /** ISO code; roubles when absent. */
  currency?: string;
};

export type DemoInvoice = DemoDated &
  DemoParties & {
    bankAccount?: DemoKey;
    pricesIncludeVat: boolean;
    lines: readonly DemoLine[];
  };

/** A sale either "based on" an invoice (parties, prices and, unless given, all lines come from it) or on its own. */
export type DemoSale = DemoDated &
  (
    | { basis: DemoKey; lines?: readonly DemoLine[] }
    | (DemoParties & { basis?: undefined; pricesIncludeVat: boolean; lines: readonly DemoLine[] })
  );

/** A payment either of an invoice (in full unless an amount is given) or on its own, e.g. an advance. */
export type DemoPayment = DemoDated & { bankAccount?: DemoKey; purpose?: string } & (
    | { basis: DemoKey; amount?: string }
    | (DemoParties & { basis?: undefined; amount: string; vatRate: VatRate; purpose: string })
  );

export type DemoDataset = {
  units: readonly DemoUnit[];
  currencies: readonly DemoCurrency[];
  organizations: readonly DemoOrganization[];
  partners?: readonly DemoPartner[];
  counterparties: readonly DemoCounterparty[];
  contactPersons?: readonly DemoContactPerson[];
  bankAccounts: readonly DemoBankAccount[];
  contracts: readonly DemoContract[];
  products: readonly DemoProduct[];
  deals?: readonly DemoDeal[];
  invoices: readonly DemoInvoice[];
  sales: readonly DemoSale[];
  payments: readonly DemoPayment[];
};

/** The object types an overlap can relate; units and currencies are named by code, the rest by key. */
export type DemoOverlapType =
  | 'organization'
  | 'counterparty'
  | 'contract'
  | 'product'
  | 'unit'
  | 'currency'
  | 'bank-account';

/**
 * How an object of the CRM relates to one of Accounting, and which rule of mapping (DESIGN.md 6.5)
 * should link them: `none` means the two must stay apart although something about them looks alike.
 */
export type DemoOverlap = {
  type: DemoOverlapType;
  crm: DemoKey;
  accounting: DemoKey;
  relation: 'same' | 'branch' | 'different';
  matchBy: 'inn' | 'inn-kpp' | 'sku' | 'name' | 'code' | 'number' | 'counterparty-number-date' | 'none';
  why: string;
};
