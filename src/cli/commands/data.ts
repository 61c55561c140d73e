import { type Command, InvalidArgumentError } from 'commander';
import type { ApiObject, MetadataType, ObjectList } from '../api-types.js';
import { addGlobalOptions, type CliRuntime, type CommandContext } from '../context.js';
import {
  buildFilter,
  buildObjectBody,
  createRefResolver,
  findType,
  parseAssignments,
  readJsonObjectFile,
} from '../object-input.js';
import { createRefNames, formatObject, formatObjectList, identity } from '../object-view.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

function count(name: string, min: number) {
  return (text: string) => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < min) {
      throw new InvalidArgumentError(`${name} must be a whole number of at least ${min}`);
    }
    return value;
  };
}

const TYPES_HELP = `
Types (the API's names): organization, counterparty, contract, product, unit, currency,
bank-account, customer-invoice, sale, incoming-payment; the CRM also has partner,
contact-person and deal. Fields are camelCase, as in \`ibsync data get\` and --json output.`;

const VALUES_HELP = `
Values are typed by the infobase's metadata: text stays text (an INN of digits too), true/false
for yes/no fields, decimals stay exact, a tabular section (lines) is a JSON array, and an
empty value (name=) clears a field. A reference may be a ref (UUID), a catalog code or a document
number: it is looked up in the referenced type.`;

const urlOf = (type: string, ref?: string) =>
  `/data/${encodeURIComponent(type)}${ref === undefined ? '' : `/${encodeURIComponent(ref)}`}`;

async function typeOf(ctx: CommandContext, typeName: string): Promise<MetadataType | undefined> {
  return findType(await ctx.metadata(), typeName);
}

async function resolveRef(ctx: CommandContext, typeName: string, value: string): Promise<string> {
  return createRefResolver(ctx.client, await ctx.metadata()).object(typeName, value);
}

/** `Created sale CR00-000001 of 2025-03-01 (ref …), total 1200.00, VAT 216.39`. */
function describeWrite(verb: string, type: MetadataType | undefined, typeName: string, object: ApiObject) {
  const head = `${verb} ${typeName} ${identity(object)}`;
  if (type?.kind !== 'document') return `${head} (ref ${object.ref})`;
  const vat = typeof object.vatAmount === 'string' ? `, VAT ${object.vatAmount}` : '';
  const totals = typeof object.amount === 'string' ? `, total ${object.amount}${vat}` : '';
  return `${head} of ${String(object.date).slice(0, 10)} (ref ${object.ref})${totals}`;
}

type WriteOptions = { set?: string[]; file?: string };
type ListOptions = {
  filter?: string[];
  search?: string;
  limit?: number;
  offset?: number;
  sort?: string;
  desc?: boolean;
  includeDeleted?: boolean;
};

async function body(ctx: CommandContext, typeName: string, options: WriteOptions) {
  const sets = parseAssignments('--set', options.set);
  const file = options.file === undefined ? undefined : readJsonObjectFile(options.file);
  const metadata = await ctx.metadata();
  return buildObjectBody({
    typeName,
    type: findType(metadata, typeName),
    sets,
    file,
    resolver: createRefResolver(ctx.client, metadata),
  });
}

export function registerDataCommands(program: Command, runtime: CliRuntime) {
  const data = addGlobalOptions(
    program
      .command('data')
      .description('create, read, list, change and mark for deletion catalog items and documents')
      .addHelpText('after', TYPES_HELP),
  );

  addGlobalOptions(
    data
      .command('add')
      .description('create a catalog item or a document')
      .argument('<type>', 'the object type, e.g. counterparty or customer-invoice')
      .option('--set <field=value>', 'a field value (repeatable)', collect)
      .option('--file <file.json>', 'a JSON object of fields; --set values override it')
      .addHelpText(
        'after',
        `${VALUES_HELP}

Examples:
  $ ibsync data add counterparty --ib crm --set name="Romashka LLC" --set inn=7701234567 --set kpp=770101001
  $ ibsync data add unit --ib crm --set code=796 --set name=pcs
  $ ibsync data add product --ib crm --set name=Widget --set sku=W-1 --set unit=796
  $ ibsync data add customer-invoice --ib crm --set organization=CR-00001 --set counterparty=CR-00002 \\
      --set currency=643 --set lines='[{"product":"CR-00003","quantity":"2","price":"150.00"}]'
  $ ibsync data add counterparty --ib crm --file counterparty.json --set phone=+74950000000`,
      ),
  ).action(async (typeName: string, options: WriteOptions, command: Command) => {
    const ctx = runtime.context(command);
    const created = await ctx.client.ib<ApiObject>('POST', urlOf(typeName), {
      body: await body(ctx, typeName, options),
    });
    const type = await typeOf(ctx, typeName);
    ctx.out.result(created, () => describeWrite('Created', type, typeName, created));
  });

  addGlobalOptions(
    data
      .command('get')
      .description('show one catalog item or document with its lines')
      .argument('<type>', 'the object type')
      .argument('<ref>', 'its ref (UUID), catalog code or document number')
      .addHelpText(
        'after',
        `
Examples:
  $ ibsync data get counterparty CR-00002 --ib crm
  $ ibsync data get customer-invoice CR00-000001 --ib crm --json`,
      ),
  ).action(async (typeName: string, refText: string, _options: unknown, command: Command) => {
    const ctx = runtime.context(command);
    const ref = await resolveRef(ctx, typeName, refText);
    const object = await ctx.client.ib<ApiObject>('GET', urlOf(typeName, ref));
    const type = await typeOf(ctx, typeName);
    const text =
      ctx.out.json || !type
        ? ''
        : await formatObject(type, object, createRefNames(ctx.client, await ctx.metadata()));
    ctx.out.result(object, () => text);
  });

  addGlobalOptions(
    data
      .command('list')
      .description('list catalog items or documents (newest documents first)')
      .argument('<type>', 'the object type')
      .option('--filter <field=value>', 'only objects whose field equals the value (repeatable)', collect)
      .option('--search <text>', 'only objects whose code, number, name or search fields contain the text')
      .option('--limit <n>', 'at most this many (default 100, at most 1000)', count('--limit', 1))
      .option('--offset <n>', 'skip this many first', count('--offset', 0))
      .option('--sort <field>', 'sort by this field (default: name for catalogs, date for documents)')
      .option('--desc', 'sort in descending order')
      .option('--include-deleted', 'include objects marked for deletion')
      .addHelpText(
        'after',
        `
A --filter on a reference takes a ref, a code or a number, like --set.

Examples:
  $ ibsync data list counterparty --ib crm --filter inn=7701234567
  $ ibsync data list customer-invoice --ib crm --filter counterparty=CR-00002 --limit 20
  $ ibsync data list product --ib crm --search widget --sort sku --desc --json`,
      ),
  ).action(async (typeName: string, options: ListOptions, command: Command) => {
    const ctx = runtime.context(command);
    const metadata = await ctx.metadata();
    const type = findType(metadata, typeName);
    const filter = await buildFilter({
      typeName,
      type,
      filters: parseAssignments('--filter', options.filter),
      resolver: createRefResolver(ctx.client, metadata),
    });
    const list = await ctx.client.ib<ObjectList>('GET', urlOf(typeName), {
      query: {
        ...filter,
        search: options.search,
        limit: options.limit,
        offset: options.offset,
        sort: options.sort,
        order: options.desc ? 'desc' : undefined,
        includeDeleted: options.includeDeleted ? 'true' : undefined,
      },
    });
    if (ctx.out.json || !type) {
      ctx.out.result(list.items, () => '');
      return;
    }
    if (list.items.length === 0) {
      ctx.out.line(`No ${type.pluralLabel.en.toLowerCase()} found.`);
      return;
    }
    const table = await formatObjectList(type, list.items, createRefNames(ctx.client, metadata), {
      withDeleted: options.includeDeleted === true,
    });
    const first = (options.offset ?? 0) + 1;
    const shown = list.items.length < list.total;
    ctx.out.line(
      shown
        ? `${table}\n\n${first}–${first + list.items.length - 1} of ${list.total}; --limit and --offset show the others`
        : table,
    );
  });

  addGlobalOptions(
    data
      .command('update')
      .description('change fields of a catalog item or document')
      .argument('<type>', 'the object type')
      .argument('<ref>', 'its ref (UUID), catalog code or document number')
      .option('--set <field=value>', 'a new field value (repeatable); lines=[…] replaces all lines', collect)
      .option('--file <file.json>', 'a JSON object of fields; --set values override it')
      .addHelpText(
        'after',
        `${VALUES_HELP}

Examples:
  $ ibsync data update counterparty CR-00002 --ib crm --set phone=+74951234567 --set email=
  $ ibsync data update customer-invoice CR00-000001 --ib crm --set comment="Paid in cash"`,
      ),
  ).action(async (typeName: string, refText: string, options: WriteOptions, command: Command) => {
    const ctx = runtime.context(command);
    const ref = await resolveRef(ctx, typeName, refText);
    const changed = await ctx.client.ib<ApiObject>('PATCH', urlOf(typeName, ref), {
      body: await body(ctx, typeName, options),
    });
    const type = await typeOf(ctx, typeName);
    ctx.out.result(
      changed,
      () => `${describeWrite('Updated', type, typeName, changed)}; version ${changed.version}`,
    );
  });

  addGlobalOptions(
    data
      .command('delete')
      .description('mark a catalog item or document for deletion (--undo removes the mark)')
      .argument('<type>', 'the object type')
      .argument('<ref>', 'its ref (UUID), catalog code or document number')
      .option('--undo', 'remove the deletion mark instead')
      .addHelpText(
        'after',
        `
A marked object disappears from lists (see --include-deleted) but stays in the database, and
other objects may still refer to it.

Examples:
  $ ibsync data delete counterparty CR-00002 --ib crm
  $ ibsync data delete counterparty CR-00002 --ib crm --undo`,
      ),
  ).action(async (typeName: string, refText: string, options: { undo?: boolean }, command: Command) => {
    const ctx = runtime.context(command);
    const ref = await resolveRef(ctx, typeName, refText);
    const marked = await ctx.client.ib<ApiObject>('DELETE', urlOf(typeName, ref), {
      query: { undo: options.undo ? 'true' : undefined },
    });
    ctx.out.result(marked, () =>
      options.undo
        ? `Removed the deletion mark of ${typeName} ${identity(marked)} (ref ${marked.ref})`
        : `Marked ${typeName} ${identity(marked)} for deletion (ref ${marked.ref})`,
    );
  });
}
