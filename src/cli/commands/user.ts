import { type Command, Option } from 'commander';
import type { User, UserWrite } from '../api-types.js';
import { addGlobalOptions, type CliRuntime } from '../context.js';
import { formatTable, formatValue } from '../output.js';

const ROLES = ['admin', 'sync', 'user', 'readonly'];

type AddOptions = { password?: string; role?: string; hidden?: boolean };

export function registerUserCommands(program: Command, runtime: CliRuntime) {
  const user = addGlobalOptions(
    program
      .command('user')
      .description("manage an infobase's users and their roles")
      .addHelpText(
        'after',
        `
Roles: admin (everything), sync (run synchronization and read its journal), user (read and
write data), readonly (read data). The first user of an infobase becomes its administrator; from
then on every command must log in (--user, --password).`,
      ),
  );

  // `--password` here is the new user's; the caller's own password goes before `user` or in IBSYNC_PASSWORD.
  addGlobalOptions(
    user
      .command('add')
      .description('create a user (the first one becomes the administrator)')
      .argument('<login>', 'the login, typed exactly as in the other infobase for the exchange')
      .option('--password <password>', "the new user's password (none: may log in only on the host computer)")
      .addOption(
        new Option('--role <role>', 'the role (default: user; the first user is admin)').choices(ROLES),
      )
      .option('--hidden', 'do not show the user in the login list')
      .addHelpText(
        'after',
        `
Here --password is the new user's password. Log in yourself with --user/--password before the
command, or with IBSYNC_USER/IBSYNC_PASSWORD.

Examples:
  $ ibsync --ib crm user add sc12345 --password 'S3cret-pass'
  $ ibsync --ib crm --user sc12345 --password 'S3cret-pass' user add local --role admin
  $ IBSYNC_USER=sc12345 IBSYNC_PASSWORD='S3cret-pass' ibsync user add clerk --ib crm --password pw2`,
      ),
    { password: false },
  ).action(async (login: string, options: AddOptions, command: Command) => {
    const { client, out } = runtime.context(command);
    const result = await client.ib<UserWrite>('POST', '/users', {
      body: {
        login,
        ...(options.password !== undefined ? { password: options.password } : {}),
        ...(options.role !== undefined ? { role: options.role } : {}),
        ...(options.hidden ? { showInList: false } : {}),
      },
    });
    for (const warning of result.warnings) out.warn(warning.message);
    out.result(result, () => {
      const created = result.user;
      const password = created.hasPassword ? '' : ', no password: may log in only on the host computer';
      return `Created user ${created.login} (${created.role}${password})`;
    });
  });

  addGlobalOptions(user.command('list').description('list the users with their roles')).action(
    async (_options: unknown, command: Command) => {
      const { client, out } = runtime.context(command);
      const users = await client.ib<User[]>('GET', '/users');
      out.result(users, () =>
        users.length === 0
          ? `The infobase ${client.infobase()} has no users yet, so it admits only this computer, as its administrator; \`ibsync user add LOGIN --password P\` creates the first user (an administrator).`
          : formatTable(
              [
                { header: 'login' },
                { header: 'role' },
                { header: 'password' },
                { header: 'in login list' },
                { header: 'last login' },
                { header: 'locked until' },
              ],
              users.map((entry) => [
                entry.login,
                entry.role,
                formatValue(entry.hasPassword),
                formatValue(entry.showInList),
                entry.lastLoginAt ?? '',
                entry.lockedUntil ?? '',
              ]),
            ),
      );
    },
  );
}
