import type { Command } from 'commander';
import type { InfobaseListEntry } from '../api-types.js';
import { addGlobalOptions, type CliRuntime } from '../context.js';
import { formatTable } from '../output.js';

export function registerIbCommands(program: Command, runtime: CliRuntime) {
  const ib = addGlobalOptions(
    program
      .command('ib')
      .description('list and create the infobases of a host')
      .addHelpText('after', '\nThe infobases are what the host publishes, each at <host URL>/<name>.'),
  );

  addGlobalOptions(ib.command('list').description('list the infobases with their publication URLs')).action(
    async (_options: unknown, command: Command) => {
      const { client, out } = runtime.context(command);
      const entries = await client.host<InfobaseListEntry[]>('GET', '/infobases');
      out.result(entries, () =>
        entries.length === 0
          ? 'This host has no infobases yet; `ibsync ib create NAME --app crm|accounting` makes one.'
          : formatTable(
              [
                { header: 'name' },
                { header: 'application' },
                { header: 'title' },
                { header: 'publication URL' },
              ],
              entries.map((entry) => [entry.name, entry.application, entry.title, entry.publicationUrl]),
            ),
      );
    },
  );

  addGlobalOptions(
    ib
      .command('create')
      .description('create an infobase (only on the host computer itself)')
      .argument('<name>', 'lower-case Latin letters, digits and _, starting with a letter; part of its URL')
      .requiredOption('--app <application>', 'its application: crm or accounting')
      .option('--title <title>', 'a title for people (default: the name)')
      .addHelpText(
        'after',
        `
Examples:
  $ ibsync ib create crm --app crm --title "Our CRM"
  $ ibsync ib create bp --app accounting`,
      ),
  ).action(async (name: string, options: { app: string; title?: string }, command: Command) => {
    const { client, out } = runtime.context(command);
    const created = await client.host<InfobaseListEntry>('POST', '/infobases', {
      body: {
        name,
        application: options.app,
        ...(options.title !== undefined ? { title: options.title } : {}),
      },
    });
    out.result(
      created,
      () =>
        `Created infobase ${created.name} (${created.applicationLabel.en}), published at ${created.publicationUrl}`,
    );
  });
}
