import type { FaultWorld, Loose, Side } from './fault-world.js';
import type { Random } from './seeded-random.js';

/** One object a side confirmed writing: the fields the test set, as they must arrive on the other side. */
export type ConfirmedWrite = { side: Side; type: string; ref: string; values: Record<string, unknown> };

const ORGANIZATION = { name: 'Vector LLC', inn: '7701234567', kpp: '770101001' };
/** Accounting already has this counterparty under its own spelling: the load maps it (S20). */
export const ROMASHKA = { inn: '7702345678', kpp: '770201001' };

/**
 * Writes in one infobase as its users would, through the API and sometimes the CLI: new counterparties,
 * products and documents, changed fields, deletion marks. Every write the host confirmed is remembered, so
 * the check can prove it reached the other side; a write that failed (the host was being killed) proves
 * nothing either way. Each side changes only what it created, except the one counterparty both sides
 * had before the setup (Romashka): both change its phone, so writes race for it, and the incoming change
 * wins; those writes are kept apart (`contestedPhones`), as any of them may be the one that stays.
 */
export class DataWriter {
  readonly confirmed = new Map<string, ConfirmedWrite>();
  /** Phones this side gave Romashka (confirmed or not: a killed host may still have written one). */
  readonly contestedPhones: string[] = [];
  private romashka = '';
  attempted = 0;
  failed = 0;
  private serial = 0;
  private organization = '';
  private bankAccount = '';
  private currency = '';
  private unit = '';
  /** Counterparties documents may use; `own` are those this side made, the only ones it changes. */
  private readonly counterparties: string[] = [];
  private readonly ownCounterparties: string[] = [];
  private readonly products: string[] = [];
  private readonly invoices: string[] = [];
  private readonly documents: { type: string; ref: string }[] = [];

  constructor(
    private readonly world: FaultWorld,
    private readonly random: Random,
    readonly side: Side,
  ) {}

  /** Numbers, INNs and SKUs of the two sides never meet. */
  private get base(): number {
    return this.side === 'crm' ? 7_800_000_000 : 7_900_000_000;
  }

  /** The data both sides start with (before the connection), like the seed's trading company. */
  async seed(): Promise<void> {
    const must = async (side: Side, type: string, body: Record<string, unknown>) => {
      const answer = await this.world.api(side, 'POST', `/data/${type}`, body);
      if (answer.status !== 201) throw new Error(`seed ${side} ${type}: ${JSON.stringify(answer.data)}`);
      return answer.data.ref as string;
    };
    this.currency = await must('crm', 'currency', { code: '643', name: 'RUB' });
    this.unit = await must('crm', 'unit', { code: '796', name: 'pcs' });
    this.organization = await must('crm', 'organization', ORGANIZATION);
    this.bankAccount = await must('crm', 'bank-account', {
      organization: this.organization,
      number: '40702810900000000001',
      bic: '044525225',
      // The format requires a currency; an empty one would travel as the rouble (shared-rules.ts).
      currency: this.currency,
    });
    this.romashka = await must('crm', 'counterparty', { name: 'Romashka LLC', ...ROMASHKA });
    this.counterparties.push(this.romashka);
    for (let index = 0; index < 2; index += 1) await this.newCounterparty();
    for (let index = 0; index < 3; index += 1) await this.newProduct();
    // The first invoice is Romashka's, so the initial export carries it and the load maps it (S20).
    for (let index = 0; index < 3; index += 1) await this.newInvoice(index === 0 ? this.romashka : undefined);
    await must('bp', 'currency', { code: '643', name: 'руб.' });
    await must('bp', 'counterparty', { name: 'Ромашка ООО', ...ROMASHKA });
  }

  /** Accounting's writer starts from what the setup brought there: the organization, its account, products. */
  async adopt(): Promise<void> {
    const list = async (type: string, query = '') => {
      const answer = await this.world.api(this.side, 'GET', `/data/${type}?limit=1000${query}`);
      if (answer.status !== 200) throw new Error(`adopt ${type}: ${JSON.stringify(answer.data)}`);
      return answer.data.items as Loose[];
    };
    const only = async (type: string, query: string) => {
      const [item] = await list(type, query);
      if (!item) throw new Error(`adopt: no ${type} ${query} in ${this.side}`);
      return item.ref as string;
    };
    this.organization = await only('organization', `&inn=${ORGANIZATION.inn}`);
    this.currency = await only('currency', '&code=643');
    this.unit = await only('unit', '&code=796');
    this.bankAccount = await only('bank-account', '&number=40702810900000000001');
    this.products.push(...(await list('product')).map((item) => item.ref as string));
    // Used in documents, and its phone changed on both sides (contestRomashka).
    this.romashka = await only('counterparty', `&inn=${ROMASHKA.inn}`);
    this.counterparties.push(this.romashka);
    await this.newCounterparty();
  }

  /** One random write; false if the host did not confirm it. */
  async step(): Promise<boolean> {
    const roll = this.random.next();
    if (roll < 0.12) return this.newCounterparty();
    if (roll < 0.2) return this.newProduct();
    if (roll < 0.45) return this.newInvoice();
    if (roll < 0.6) return this.changeInvoice();
    if (roll < 0.7) return this.changeCounterparty();
    if (roll < 0.8) return this.newSale();
    if (roll < 0.87) return this.newPayment();
    if (roll < 0.92) return this.contestRomashka();
    return this.toggleDeletionMark();
  }

  private text(min: number, max: number): string {
    // Random letters compress badly, so messages really need several parts.
    const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ';
    let text = '';
    for (let length = this.random.int(min, max); text.length < length; )
      text += alphabet[this.random.int(0, alphabet.length - 1)];
    return text.trim() || 'x';
  }

  private remember(type: string, ref: string, values: Record<string, unknown>) {
    const key = `${type}:${ref}`;
    const known = this.confirmed.get(key);
    this.confirmed.set(key, { side: this.side, type, ref, values: { ...known?.values, ...values } });
  }

  /**
   * A change the host did not confirm may still have been made (killed after its commit, before its
   * answer): the fields it touched are known again only from the next confirmed write.
   */
  private unsure(type: string, ref: string, fields: readonly string[]) {
    const key = `${type}:${ref}`;
    const known = this.confirmed.get(key);
    if (!known) return;
    const values = { ...known.values };
    for (const field of fields) delete values[field];
    this.confirmed.set(key, { ...known, values });
  }

  private async write(
    method: 'POST' | 'PATCH' | 'DELETE',
    path: string,
    body: Record<string, unknown> | undefined,
  ): Promise<Loose | undefined> {
    this.attempted += 1;
    const answer = await this.world.api(this.side, method, path, body, 20_000);
    if (answer.status >= 200 && answer.status < 300) return answer.data;
    this.failed += 1;
    // Only a host that went away may refuse a write here; anything else is a bug of the test or the host.
    if (answer.status !== 0 && answer.status < 500)
      throw new Error(
        `${this.side} refused ${method} ${path}: ${answer.status} ${JSON.stringify(answer.data)}`,
      );
    return undefined;
  }

  private async newCounterparty(): Promise<boolean> {
    this.serial += 1;
    const values = {
      name: `Контрагент ${this.serial} ${this.text(3, 12)}`,
      inn: String(this.base + this.serial),
      kpp: '780101001',
      address: this.text(40, 200),
    };
    if (this.random.chance(0.3)) {
      // Through the CLI, as a script would add it.
      this.attempted += 1;
      const sets = Object.entries(values).flatMap(([field, value]) => ['--set', `${field}=${value}`]);
      const result = await this.world.cli(this.side, ['data', 'add', 'counterparty', ...sets, '--json']);
      if (result.code !== 0) {
        this.failed += 1;
        return false;
      }
      const ref = result.json().ref as string;
      this.counterparties.push(ref);
      this.ownCounterparties.push(ref);
      this.remember('counterparty', ref, values);
      return true;
    }
    const created = await this.write('POST', '/data/counterparty', values);
    if (!created) return false;
    this.counterparties.push(created.ref);
    this.ownCounterparties.push(created.ref);
    this.remember('counterparty', created.ref, values);
    return true;
  }

  private async newProduct(): Promise<boolean> {
    this.serial += 1;
    const values = {
      name: `Товар ${this.side} ${this.serial}`,
      sku: `SKU-${this.side}-${this.serial}`,
      unit: this.unit,
    };
    const created = await this.write('POST', '/data/product', values);
    if (!created) return false;
    this.products.push(created.ref);
    this.remember('product', created.ref, { name: values.name, sku: values.sku });
    return true;
  }

  private lines() {
    return Array.from({ length: this.random.int(1, 3) }, () => ({
      product: this.random.pick(this.products),
      quantity: String(this.random.int(1, 50)),
      price: `${this.random.int(1, 9999)}.${String(this.random.int(0, 99)).padStart(2, '0')}`,
    }));
  }

  private parties(counterparty = this.random.pick(this.counterparties)) {
    return {
      organization: this.organization,
      counterparty,
      currency: this.currency,
    };
  }

  private date(): string {
    return `2026-${String(this.random.int(1, 12)).padStart(2, '0')}-${String(this.random.int(1, 28)).padStart(2, '0')}T10:00:00`;
  }

  private async newInvoice(counterparty?: string): Promise<boolean> {
    const comment = this.text(50, 400);
    const created = await this.write('POST', '/data/customer-invoice', {
      date: this.date(),
      ...this.parties(counterparty),
      bankAccount: this.bankAccount,
      comment,
      lines: this.lines(),
    });
    if (!created) return false;
    this.invoices.push(created.ref);
    this.documents.push({ type: 'customer-invoice', ref: created.ref });
    this.remember('customer-invoice', created.ref, { comment, number: created.number });
    return true;
  }

  private async changeInvoice(): Promise<boolean> {
    if (this.invoices.length === 0) return this.newInvoice();
    const ref = this.random.pick(this.invoices);
    const change: Record<string, unknown> = { comment: this.text(20, 300) };
    if (this.random.chance(0.5)) change.lines = this.lines();
    if (!(await this.write('PATCH', `/data/customer-invoice/${ref}`, change))) {
      this.unsure('customer-invoice', ref, ['comment']);
      return false;
    }
    this.remember('customer-invoice', ref, { comment: change.comment });
    return true;
  }

  private async changeCounterparty(): Promise<boolean> {
    const ref = this.random.pick(this.ownCounterparties);
    const phone = `+7 900 ${String(this.random.int(0, 9_999_999)).padStart(7, '0')}`;
    if (!(await this.write('PATCH', `/data/counterparty/${ref}`, { phone }))) {
      this.unsure('counterparty', ref, ['phone']);
      return false;
    }
    this.remember('counterparty', ref, { phone });
    return true;
  }

  /** A change the other side may make to the same object at the same time. */
  private async contestRomashka(): Promise<boolean> {
    const phone = `+7 ${this.side === 'crm' ? 800 : 900} ${String(this.random.int(0, 9_999_999)).padStart(7, '0')}`;
    this.contestedPhones.push(phone);
    return (await this.write('PATCH', `/data/counterparty/${this.romashka}`, { phone })) !== undefined;
  }

  private async newSale(): Promise<boolean> {
    if (this.invoices.length === 0) return this.newInvoice();
    const created = await this.write('POST', '/data/sale', {
      date: this.date(),
      ...this.parties(),
      basis: this.random.pick(this.invoices),
      lines: this.lines(),
    });
    if (!created) return false;
    this.documents.push({ type: 'sale', ref: created.ref });
    this.remember('sale', created.ref, { number: created.number });
    return true;
  }

  private async newPayment(): Promise<boolean> {
    const amount = `${this.random.int(1, 99999)}.00`;
    const created = await this.write('POST', '/data/incoming-payment', {
      date: this.date(),
      ...this.parties(),
      bankAccount: this.bankAccount,
      amount,
      purpose: this.text(10, 100),
    });
    if (!created) return false;
    this.documents.push({ type: 'incoming-payment', ref: created.ref });
    this.remember('incoming-payment', created.ref, { amount, number: created.number });
    return true;
  }

  private async toggleDeletionMark(): Promise<boolean> {
    if (this.documents.length === 0) return this.newInvoice();
    const { type, ref } = this.random.pick(this.documents);
    const mark = this.random.chance(0.6);
    const done = await this.write('DELETE', `/data/${type}/${ref}${mark ? '' : '?undo=true'}`, undefined);
    if (!done) {
      this.unsure(type, ref, ['deleted']);
      return false;
    }
    this.remember(type, ref, { deleted: mark });
    return true;
  }
}
