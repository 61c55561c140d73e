import type { Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { en } from '../../src/web/i18n/en.js';
import { ru } from '../../src/web/i18n/ru.js';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.js';
import { type Browser, type Language, launchBrowser } from './browser.js';
import { ensureWebBuild } from './web-build.js';

/** The cloud account's login and password: the pass-through user of both infobases (S2). */
const LOGIN = 'sc12345';
const PASSWORD = 'Pass-word1';
/** In both demo infobases, spelled differently: ООО "Ромашка" in the CRM, Ромашка ООО in Accounting. */
const ROMASHKA_INN = '7715432185';

/** Field labels come from the applications' metadata, in the two languages. */
const FIELDS = {
  en: {
    organization: 'Organization',
    counterparty: 'Counterparty',
    currency: 'Currency',
    bankAccount: 'Bank account',
    total: 'Total',
    vatTotal: 'VAT total',
    paymentAmount: 'Amount',
    paymentVat: 'VAT',
    line: (field: 'Product' | 'Quantity' | 'Price' | 'Amount', n: number) => `${field}, line ${n}`,
  },
  ru: {
    organization: 'Организация',
    counterparty: 'Контрагент',
    currency: 'Валюта',
    bankAccount: 'Банковский счет',
    total: 'Сумма',
    vatTotal: 'Сумма НДС',
    paymentAmount: 'Сумма',
    paymentVat: 'Сумма НДС',
    line: (field: 'Product' | 'Quantity' | 'Price' | 'Amount', n: number) =>
      `${{ Product: 'Номенклатура', Quantity: 'Количество', Price: 'Цена', Amount: 'Сумма' }[field]}, строка ${n}`,
  },
} as const;

/** i18next's {{name}} placeholders, filled the way the page fills them. */
const fill = (template: string, values: Record<string, string | number>) =>
  template.replace(/\{\{(\w+)\}\}/g, (_, name: string) => String(values[name] ?? ''));

/** Exact decimals as the page shows them: 1,234.50 in English, 1 234,50 in Russian. */
const money = (text: string, language: Language) => {
  const [whole = '', fraction = ''] = text.split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, language === 'ru' ? '\u00a0' : ',');
  return `${grouped}${language === 'ru' ? ',' : '.'}${fraction}`;
};

type Hosts = { crm: ServerProcess; bp: ServerProcess };

/** What a page shows can take a moment: a reference's name is read after the row. */
const POLL = { timeout: 10_000, interval: 100 };

/**
 * The whole seed in a browser, against two hosts on two ports (the CRM's and Accounting's), as the people
 * of the seed click through it: S2–S22, then a new invoice that a later Synchronize carries.
 */
export function describeSeedScenario(language: Language) {
  const T = language === 'ru' ? ru : en;
  const F = FIELDS[language];

  describe(`the seed scenario in Chromium, in ${language === 'ru' ? 'Russian' : 'English'} (S2–S22)`, {
    timeout: 120_000,
  }, () => {
    let hosts: Hosts;
    let browser: Browser;
    let page: Page;
    let crm: string;
    let bp: string;
    let invoiceNumber = '';
    const timings: Record<string, number> = {};
    let started = 0;

    /** A text field, select or combobox by its label, the way a screen reader finds it. */
    const textbox = (name: string) =>
      page
        .getByRole('textbox', { name, exact: true })
        .or(page.getByRole('combobox', { name, exact: true }))
        .or(page.getByRole('searchbox', { name, exact: true }));
    const button = (name: string) => page.getByRole('button', { name, exact: true });
    const link = (name: string) => page.getByRole('link', { name, exact: true });
    /** The side menu's entries (the start page repeats them). */
    const menu = (name: string) => page.getByRole('navigation').getByRole('link', { name, exact: true });

    /** A Mantine select: open it, optionally type to search, pick the option. */
    const choose = async (input: Locator, option: string, search?: string) => {
      await input.click();
      if (search !== undefined) await input.fill(search);
      await page.getByRole('option', { name: option, exact: true }).click();
    };
    const shot = async (name: string) => {
      expect(await browser.unlabelled(), `unlabelled fields on ${name}`).toEqual([]);
      await browser.screenshot(name);
    };
    const testId = (id: string) => page.getByTestId(id);
    const login = async (user: string, password: string) => {
      await choose(textbox(T.login.user), user);
      await textbox(T.login.password).fill(password);
      await button(T.login.submit).click();
    };
    const logout = async () => {
      await button(T.common.logout).click();
      await page.getByText(T.login.loggedOut).waitFor();
    };

    beforeAll(async () => {
      started = performance.now();
      // First the build: a host reads the page's file names when it serves the page.
      await ensureWebBuild();
      const [crmHost, bpHost] = await Promise.all([
        startServerProcess({ args: ['--demo'] }),
        startServerProcess({ args: ['--demo'] }),
      ]);
      hosts = { crm: crmHost, bp: bpHost };
      crm = hosts.crm.url;
      bp = hosts.bp.url;
      browser = await launchBrowser(language);
      page = browser.page;
      timings.start = performance.now() - started;
    }, 120_000);
    afterEach((context) => {
      timings[context.task.name.slice(0, 24)] = Math.round(performance.now() - started);
      expect(browser?.problems() ?? []).toEqual([]);
    });
    afterAll(async () => {
      await browser?.close();
      await Promise.all([hosts?.crm.stop(), hosts?.bp.stop()]);
      for (const host of [hosts?.crm, hosts?.bp]) await host?.store.cleanup();
      console.log(`ui-e2e ${language}: ms since start`, JSON.stringify(timings));
    });

    it('S13: the host lists its infobases with their publication URLs, copied with a button', async () => {
      expect(hosts.crm.port).not.toBe(hosts.bp.port);
      await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: crm });
      await page.goto(`${bp}/`);
      const bpCard = page.locator('[data-infobase="bp"]');
      await bpCard.waitFor();
      await expect
        .poll(() => bpCard.locator('[data-field="application"]').textContent(), POLL)
        .toBe(
          language === 'ru' ? 'Бухгалтерия предприятия, редакция 3.0' : 'Enterprise Accounting, edition 3.0',
        );
      await expect
        .poll(() => bpCard.locator('[data-field="publication-url"]').textContent(), POLL)
        .toBe(`${bp}/bp`);
      await page.goto(`${crm}/`);
      await page.getByRole('heading', { name: T.host.title }).waitFor();
      const card = page.locator('[data-infobase="crm"]');
      await expect
        .poll(() => card.locator('[data-field="publication-url"]').textContent(), POLL)
        .toBe(`${crm}/crm`);
      await card.getByRole('button', { name: /crm|CRM/ }).click();
      await card.locator('[data-copied="true"]').waitFor();
      expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe(`${crm}/crm`);
      await shot('01-host-page');
      await card.getByRole('link', { name: T.host.openInfobase }).click();
      await page.getByText(T.home.noUsersBanner).waitFor();
    });

    it('S2–S5, S7: the first user is the administrator, typed with warnings; then the infobase asks for a login', async () => {
      await menu(T.nav.users).click();
      await button(T.users.add).click();
      const loginInput = textbox(T.users.login);
      await loginInput.fill(`${LOGIN} `);
      await page.locator('[data-warning="surrounding_spaces"]').waitFor();
      const password = textbox(T.users.password);
      await password.fill('Пароль-1');
      await page.locator('[data-warning="non_latin"]').waitFor();
      await page.getByRole('checkbox', { name: T.users.showPassword }).check();
      await expect.poll(() => password.getAttribute('type'), POLL).toBe('text');
      expect(await textbox(T.users.role).isDisabled()).toBe(true);
      await shot('02-users-new-user-warnings');
      await loginInput.fill(LOGIN);
      await password.fill(PASSWORD);
      await expect.poll(() => page.locator('[data-warning]').count(), POLL).toBe(0);
      await button(T.common.create).click();
      // S5: the infobase has a user now, so it asks everyone to log in.
      await page.getByText(T.login.nowHasUsers).waitFor();
      await shot('03-login');
      browser.expectFailure(401, /\/auth\/login$/);
      await login(LOGIN, 'Pass-word2');
      await page.locator('[data-error="bad_credentials"]').waitFor();
      await expect
        .poll(() => page.locator('[data-error="bad_credentials"]').textContent(), POLL)
        .toBe(T.login.errors.bad_credentials);
      await textbox(T.login.password).fill(PASSWORD);
      await button(T.login.submit).click();
      await page.getByText(fill(T.nav.signedInAs, { login: LOGIN, role: T.roles.admin })).waitFor();
    });

    it('S5, S8: a second administrator without a password logs in from this computer and does the setup', async () => {
      await menu(T.nav.users).click();
      await button(T.users.add).click();
      await textbox(T.users.login).fill('local');
      await choose(textbox(T.users.role), `${T.roles.admin} — ${T.roleHints.admin}`);
      await button(T.common.create).click();
      await page.locator('[data-login="local"]').waitFor();
      await logout();
      await login('local', '');
      await page.getByText(fill(T.nav.signedInAs, { login: 'local', role: T.roles.admin })).waitFor();
    });

    it('S9–S11: the CRM enables synchronization and gets the prefix CR, continuing its numbering', async () => {
      await menu(T.nav.sync).click();
      await page.getByRole('switch', { name: T.sync.enable }).check();
      await testId('sync-enabled-state').getByText(T.sync.enabled).waitFor();
      await testId('prefix-input').fill('cr');
      const invoices = testId('prefix-preview').locator('[data-type="customer-invoice"]').first();
      await invoices.waitFor();
      // 19 invoices of the organization exist: restarting would give CR00-000001 again (S11).
      await expect
        .poll(() => invoices.locator('[data-column="restart"]').textContent(), POLL)
        .toBe('CR00-000001');
      await expect
        .poll(() => invoices.locator('[data-column="continue"]').textContent(), POLL)
        .toBe('CR00-000020');
      expect(await page.getByRole('radio', { name: T.sync.continue }).isChecked()).toBe(true);
      await shot('04-sync-enable-prefix');
      await button(T.sync.prefixSave).click();
      await testId('current-prefix').getByText('CR').waitFor();
    });

    it('S2, S5: Accounting gets the same pass-through user; a wrong password is named, repeated ones lock', async () => {
      await page.goto(`${bp}/bp/users`);
      await button(T.users.add).click();
      await textbox(T.users.login).fill(LOGIN);
      await textbox(T.users.password).fill(PASSWORD);
      await button(T.common.create).click();
      await page.getByText(T.login.nowHasUsers).waitFor();
      await login(LOGIN, PASSWORD);
      await page.getByText(fill(T.nav.signedInAs, { login: LOGIN, role: T.roles.admin })).waitFor();
      await menu(T.nav.users).click();
      await button(T.users.add).click();
      await textbox(T.users.login).fill('clerk');
      await textbox(T.users.password).fill('clerk-pass');
      await choose(textbox(T.users.role), `${T.roles.user} — ${T.roleHints.user}`);
      await button(T.common.create).click();
      await page.locator('[data-login="clerk"]').waitFor();
      await logout();
      browser.expectFailure(401, /\/auth\/login$/, 5);
      browser.expectFailure(429, /\/auth\/login$/);
      await login('clerk', 'wrong');
      const error = page.locator('[role="alert"][data-error]');
      await error.waitFor();
      for (let attempt = 2; attempt <= 5; attempt += 1) {
        const answered = page.waitForResponse((response) => response.url().endsWith('/auth/login'));
        await button(T.login.submit).click();
        await answered;
      }
      await page.getByText(fill(T.login.errors.lockedNow, { seconds: 30 })).waitFor();
      await button(T.login.submit).click();
      await page.locator('[data-error="account_locked"]').waitFor();
      await shot('05-login-locked');
      await textbox(T.login.password).fill(PASSWORD);
      await login(LOGIN, PASSWORD);
      await page.getByText(fill(T.nav.signedInAs, { login: LOGIN, role: T.roles.admin })).waitFor();
      // S9 in Accounting; its prefix is left to the CRM's setup (S15).
      await menu(T.nav.sync).click();
      await page.getByRole('switch', { name: T.sync.enable }).check();
      await testId('sync-enabled-state').getByText(T.sync.enabled).waitFor();
    });

    it('S12–S17: the New data synchronization wizard, with a named connection failure and Next pressed twice', async () => {
      await page.goto(`${crm}/crm/sync`);
      await link(T.sync.newSync).click();
      const accounting = page.getByRole('radio', { name: T.apps.accounting });
      if (language === 'ru') expect(T.apps.accounting).toBe('Бухгалтерия предприятия, редакция 3.0');
      expect(await accounting.isChecked()).toBe(true);
      expect(await page.getByRole('radio', { name: T.wizard.overInternet }).isChecked()).toBe(true);
      await shot('06-wizard-application');
      await testId('wizard-next').click();

      await testId('peer-url').fill(`${bp}/bp`);
      await testId('peer-login').fill(LOGIN);
      await testId('peer-password').fill('not-the-password');
      await testId('test-connection').click();
      const failed = testId('connection-failed');
      await failed.waitFor();
      expect(await failed.getAttribute('data-cause')).toBe('wrong_password');
      expect(await failed.textContent()).toContain(T.wizard.causes.wrong_password);
      await shot('07-wizard-connection-wrong-password');
      await testId('peer-password').fill(PASSWORD);
      await testId('test-connection').click();
      await testId('connection-ok').waitFor();
      await shot('08-wizard-connection-ok');
      await testId('wizard-next').click();

      await testId('peer-prefix').fill('bp');
      // S14: Next twice, then Back and Next again: the setting is created once.
      await testId('wizard-next').dblclick();
      await page.getByRole('radio', { name: T.wizard.catalogsUsed }).waitFor();
      await button(T.common.back).click();
      await testId('stage-one-done').waitFor();
      await testId('wizard-next').click();
      const used = page.getByRole('radio', { name: T.wizard.catalogsUsed });
      await used.waitFor();
      expect(await used.isChecked()).toBe(true);
      await choose(textbox(T.wizard.organizations), 'ООО "Вектор-Трейд"');
      await page.keyboard.press('Escape');
      await shot('09-wizard-rules');
      await testId('wizard-next').click();

      await testId('initial-export').click();
      await testId('export-done').waitFor({ timeout: 30_000 });
      await shot('10-wizard-initial-export');
      await testId('wizard-finish').click();
      await page.goto(`${crm}/crm/sync`);
      const settings = page.locator('[data-setting]');
      await settings.first().waitFor();
      expect(await settings.count()).toBe(1);
      expect(await settings.first().getAttribute('data-state')).toBe('pending');
    });

    it('S18–S21: Accounting lists the pending setting; rules, map and load, initial export; then it is ready', async () => {
      await page.goto(`${bp}/bp/sync`);
      await testId('current-prefix').getByText('BP').waitFor();
      const setting = page.locator('[data-setting]');
      await setting.first().waitFor();
      expect(await setting.count()).toBe(1);
      expect(await setting.first().getAttribute('data-state')).toBe('pending');
      await shot('11-accounting-settings-pending');
      await setting.first().getByRole('link', { name: T.sync.continueSetup }).click();

      // S19: Accounting receives only.
      const option = (group: string, name: string) =>
        page.getByRole('radiogroup', { name: group }).getByRole('radio', { name, exact: true });
      expect(await option(T.wizard.catalogs, T.wizard.catalogsNone).isChecked()).toBe(true);
      await option(T.wizard.documents, T.wizard.documentsNone).check();
      await testId('save-rules').click();
      await page.getByText(T.setting.rulesSaved).first().waitFor();
      await shot('12-accounting-stage-two');

      // S20: with the analysis, the review screen; without it, the load maps by itself.
      const review = testId('open-mapping');
      const load = page.locator('[data-testid="load"]:not([disabled])');
      await review.or(load).first().waitFor();
      if (await review.isVisible()) {
        await review.click();
        await testId('mapping-summary').waitFor();
        const unmatched = page.locator('[data-testid="mapping-items"] tbody tr[data-status="unmatched"]');
        await unmatched.first().waitFor();
        await shot('13-mapping-review');
        // A decision by hand: the item leaves the list of the unmatched and counts as decided.
        const decided = await unmatched.first().getAttribute('data-peer-ref');
        await unmatched.first().getByRole('button', { name: T.mapping.createNew }).click();
        await page
          .locator(`tr[data-peer-ref="${decided}"][data-status="unmatched"]`)
          .waitFor({ state: 'detached' });
        await testId('mapping-summary')
          .locator('[data-column="decided"]')
          .filter({ hasNotText: /^0$/ })
          .first()
          .waitFor();
        await testId('dry-run').click();
        await page.getByText(T.mapping.dryRunTitle).waitFor({ timeout: 30_000 });
        await shot('13b-mapping-dry-run');
        await testId('mapping-load').click();
        await testId('load-done').waitFor({ timeout: 30_000 });
      } else {
        await load.click();
        await page.locator('[data-job-state="done"]').first().waitFor({ timeout: 30_000 });
        await shot('13-map-and-load');
      }

      // S21: Accounting's own initial export completes the setup.
      await page.locator('[data-testid="initial-export"]:not([disabled])').click();
      await testId('setup-complete').waitFor({ timeout: 30_000 });
      await testId('setup-complete').scrollIntoViewIfNeeded();
      await shot('14-accounting-setup-complete');
    });

    it('S22: Synchronize from the CRM, with the result', async () => {
      await page.goto(`${crm}/crm/sync`);
      const setting = page.locator('[data-setting][data-state="ready"]');
      await setting.waitFor();
      await setting.getByTestId('synchronize').click();
      await setting.getByTestId('sync-result').waitFor({ timeout: 30_000 });
      await setting.getByTestId('sync-result').scrollIntoViewIfNeeded();
      await shot('15-synchronize');
    });

    it('a new invoice typed in the CRM, totals and VAT computed exactly as typed, gets a CR number', async () => {
      await page.goto(`${crm}/crm/data/customer-invoice`);
      await page.locator('[data-list="customer-invoice"]').waitFor();
      await shot('16-crm-invoices');
      await link(T.objects.create).click();
      await choose(textbox(F.organization), 'ООО "Вектор-Трейд"', 'Вектор');
      await choose(textbox(F.counterparty), 'ООО "Ромашка"', 'Ромашка');
      await choose(textbox(F.currency), 'руб.', 'руб');
      await choose(textbox(F.bankAccount), 'Основной счет (ПАО Сбербанк)', 'Основной');
      await button(T.objects.addLine).click();
      await choose(textbox(F.line('Product', 1)), 'Бумага офисная А4, 80 г/м², 500 л.', 'А4');
      await textbox(F.line('Quantity', 1)).fill('3');
      // A decimal comma, as a Russian user types it, in both languages.
      await textbox(F.line('Price', 1)).fill('1234,56');
      const amount = page.getByLabel(F.line('Amount', 1), { exact: true });
      await amount.getByText(money('3703.68', language)).waitFor();
      expect(await textbox(F.total).inputValue()).toBe(money('3703.68', language));
      // VAT included at 22%: 3703.68 × 22 / 122 = 667.8767… → 667.88.
      expect(await textbox(F.vatTotal).inputValue()).toBe(money('667.88', language));
      await textbox(F.line('Quantity', 1)).fill('2.5');
      await amount.getByText(money('3086.40', language)).waitFor();
      expect(await textbox(F.vatTotal).inputValue()).toBe(money('556.56', language));
      await textbox(F.total).scrollIntoViewIfNeeded();
      await shot('17-crm-new-invoice');
      await button(T.common.save).click();
      await page.waitForURL(/\/crm\/data\/customer-invoice\/[0-9a-f-]{36}$/);
      const number = page.locator('input[data-field="number"]');
      await page.getByRole('heading', { name: /CR00-/ }).waitFor();
      invoiceNumber = await number.inputValue();
      expect(invoiceNumber).toBe('CR00-000020');
      expect(await textbox(F.total).inputValue()).toBe(money('3086.40', language));
    });

    it("a payment's VAT follows its amount as typed; a sale has its lines", async () => {
      await page.goto(`${crm}/crm/data/incoming-payment/new`);
      await textbox(F.paymentAmount).fill('1220');
      // 22% included: 1220 × 22 / 122 = 220.
      await expect.poll(() => textbox(F.paymentVat).inputValue(), POLL).toBe(money('220.00', language));
      await textbox(F.paymentAmount).fill('1000,01');
      await expect.poll(() => textbox(F.paymentVat).inputValue(), POLL).toBe(money('180.33', language));
      await shot('17b-crm-new-payment');
      await page.goto(`${crm}/crm/data/sale/new`);
      await button(T.objects.addLine).click();
      await textbox(F.line('Quantity', 1)).waitFor();
      expect(await browser.unlabelled()).toEqual([]);
    });

    it('marks a catalog item for deletion and takes the mark off again', async () => {
      await page.goto(`${crm}/crm/data/partner`);
      await page.locator('[data-list="partner"] tbody tr a').first().click();
      await button(T.objects.mark).click();
      await button(T.common.confirm).click();
      await testId('deleted-badge').waitFor();
      await button(T.objects.unmark).click();
      await testId('deleted-badge').waitFor({ state: 'detached' });
    });

    it('S22 again: Synchronize carries the new invoice; the journal shows the sessions', async () => {
      await page.goto(`${crm}/crm/sync`);
      const setting = page.locator('[data-setting][data-state="ready"]');
      await setting.getByTestId('synchronize').click();
      const sent = setting.locator(
        '[data-testid="sync-result"] [data-type="customer-invoice"] [data-column="sent"]',
      );
      await sent.waitFor({ timeout: 30_000 });
      await sent.scrollIntoViewIfNeeded();
      await expect.poll(() => sent.textContent(), POLL).toBe('1');
      await shot('18-synchronize-new-invoice');

      await menu(T.nav.journal).click();
      await choose(textbox(T.journal.operation), T.journal.operations.sync);
      const sessions = page.locator('[data-testid="journal"] tbody tr[data-operation="sync"]');
      // Filtered to Synchronize: its two sessions, both successful, and nothing else.
      const others = page.locator('[data-testid="journal"] tbody tr:not([data-operation="sync"])');
      const successful = page.locator('[data-testid="journal"] tbody tr[data-status="ok"]');
      await page.waitForURL(/operation=sync/);
      await expect.poll(() => others.count(), POLL).toBe(0);
      await expect.poll(() => sessions.count(), POLL).toBe(2);
      await expect.poll(() => successful.count(), POLL).toBe(2);
      await shot('19-journal');
      await sessions.first().locator('a').click();
      const row = page.locator('tr[data-type="customer-invoice"] [data-column="sent"]');
      await row.waitFor();
      await expect.poll(() => row.textContent(), POLL).toBe('1');
      await shot('20-journal-session');
    });

    it('Accounting lists the invoice under its CR number, with its own counterparty, not a duplicate', async () => {
      // S20: the CRM's ООО "Ромашка" was mapped by INN and KPP onto Accounting's own Ромашка ООО: one item.
      await page.goto(`${bp}/bp/data/counterparty`);
      await textbox(T.common.search).fill(ROMASHKA_INN);
      await testId('list-total')
        .getByText(fill(T.common.total, { count: 1 }))
        .waitFor();
      const counterparty = page.locator('[data-list="counterparty"] tbody tr');
      await counterparty.first().waitFor();
      expect(await counterparty.count()).toBe(1);
      const counterpartyName = await counterparty.locator('[data-column="name"]').textContent();
      // Accounting's own item keeps its own code; an item created from the CRM would carry the CRM's.
      expect(await counterparty.locator('[data-column="code"]').textContent()).not.toMatch(/^CR/);
      await shot('21-accounting-counterparty-mapped');

      await page.goto(`${bp}/bp/data/customer-invoice`);
      await textbox(T.common.search).fill(invoiceNumber);
      // The search applies after a pause: clicking into the list before that races the list's own update.
      await testId('list-total')
        .getByText(fill(T.common.total, { count: 1 }))
        .waitFor();
      const row = page.locator('[data-list="customer-invoice"] tbody tr').filter({ hasText: invoiceNumber });
      await row.waitFor();
      await expect
        .poll(() => row.locator('[data-column="counterparty"]').textContent(), POLL)
        .toBe(counterpartyName);
      await expect
        .poll(() => row.locator('[data-column="amount"]').textContent(), POLL)
        .toBe(money('3086.40', language));
      await shot('22-accounting-invoices');
      await row.locator('a').first().click();
      await page.getByRole('heading', { name: new RegExp(invoiceNumber) }).waitFor();
      expect(await textbox(F.counterparty).inputValue()).toBe(counterpartyName);
      await shot('23-accounting-invoice');

      await page.goto(`${bp}/bp/sync`);
      await page.locator('[data-setting][data-state="ready"]').waitFor();
      await page.goto(`${bp}/bp/sync/journal`);
      await page.locator('[data-testid="journal"] tbody tr[data-operation="import"]').first().waitFor();
      await shot('24-accounting-journal');
      // The session of map and load, with its warnings per object (if it had any) and their reasons.
      const loadSession = page.locator('[data-testid="journal"] tbody tr[data-operation="load"]').first();
      const withWarnings = (await loadSession.getAttribute('data-status')) === 'warnings';
      await loadSession.locator('a').click();
      if (withWarnings) {
        const items = page.locator('[data-testid="journal-items"] tbody tr');
        await items.first().waitFor();
        // Filtered by the level of the first: only items of that level remain.
        const level = (await items.first().getAttribute('data-level')) as 'warning' | 'error';
        const segment = await page
          .getByRole('radio', { name: T.journal.levels[level], exact: true })
          .getAttribute('id');
        await page.locator(`label[for="${segment}"]`).click();
        await expect
          .poll(
            () => page.locator(`[data-testid="journal-items"] tbody tr:not([data-level="${level}"])`).count(),
            POLL,
          )
          .toBe(0);
        expect(await items.count()).toBeGreaterThan(0);
        await items.first().scrollIntoViewIfNeeded();
      } else {
        await page.getByText(T.journal.noItems).waitFor();
      }
      await shot('25-accounting-journal-load');
    });

    it('works on a phone: 390×844 with the menu behind a burger', async () => {
      await page.setViewportSize({ width: 390, height: 844 });
      await page.goto(`${crm}/`);
      await page.locator('[data-infobase="crm"]').waitFor();
      await shot('m1-host-page');
      await page.goto(`${crm}/crm/data/customer-invoice`);
      await page.locator('[data-list="customer-invoice"]').waitFor();
      // The menu slides out of view on a phone, behind the burger.
      const hidden = await page.getByRole('navigation').boundingBox();
      expect((hidden?.x ?? 0) + (hidden?.width ?? 0)).toBeLessThanOrEqual(0);
      await shot('m2-crm-invoices');
      await button(T.common.menu).click();
      await link(T.nav.users).waitFor();
      await shot('m3-menu');
      await menu(T.nav.sync).click();
      await page.locator('[data-setting][data-state="ready"]').waitFor();
      await shot('m4-sync');
      await page.setViewportSize({ width: 1280, height: 800 });
    });
  });
}
