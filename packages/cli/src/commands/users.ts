/**
 * warrenctl users and whoami: list, show, add (create or update, with a password, a password
 * read from stdin, or a hash from RabbitMQ) and delete users (the API's /api/users), and who
 * the broker takes the caller for (`/api/whoami`). Only administrators manage users.
 */
import { Command } from 'commander';
import type { UserBody, UserView, WhoamiView } from '@warren/protocol/http';
import { act, type Flags } from '../action.js';
import { apiPath } from '../api.js';
import type { Context } from '../context.js';
import { CliFailure, EXIT } from '../exit-codes.js';
import { objectOf, pair } from '../options.js';
import { done, fields, json, table, type Io } from '../output.js';

export function usersCommand(io: Io): Command {
  const users = new Command('users').description('list, add, update and delete users; whoami');
  users
    .command('list')
    .description('every user with its tags (administrator only)')
    .action(
      act(io, async (c) => {
        const { body } = await c.api.call<UserView[]>('GET', '/api/users');
        if (c.json) return json(c.io, body);
        table(c.io, body, [
          ['NAME', (u) => u.name],
          ['TAGS', (u) => u.tags.join(',')],
          ['PASSWORD', (u) => (u.password_hash === '' ? '(none)' : u.hashing_algorithm)],
          ['LIMITS', (u) => (Object.keys(u.limits).length === 0 ? '' : u.limits)],
        ]);
      }),
    );
  users
    .command('show <name>')
    .description('one user: tags, password hash and algorithm, limits')
    .action(
      act(io, async (c, [name]) => {
        const { body } = await c.api.call<UserView>('GET', apiPath('users', name!));
        if (c.json) json(c.io, body);
        else fields(c.io, { ...body, tags: body.tags.join(',') });
      }),
    );
  users
    .command('add <name> [password]')
    .description('create a user, or update one (what is not given is kept); without a password it logs in by certificate or token only')
    .option('--password-stdin', 'read the password from standard input (kept out of the process list and shell history)')
    .option('--password-hash <hash>', 'a hash as RabbitMQ exports it (base64), instead of a password')
    .option('--hashing-algorithm <name>', 'with --password-hash: rabbit_password_hashing_sha256 (default), _sha512, _md5, or warren_password_hashing_scrypt')
    .option('--tags <tags>', "comma-separated: management, policymaker, monitoring, administrator ('' for none)")
    .option('--limit <key=value>', 'a user limit (repeatable): --limit max-connections=10', pair)
    .action(
      act(io, async (c, [name, password], flags) => {
        const body: UserBody = await passwordOf(c, password, flags);
        if (flags.tags !== undefined) body.tags = flags.tags as string;
        if (flags.limit !== undefined) body.limits = objectOf(flags.limit) as Record<string, number>;
        const { status } = await c.api.call('PUT', apiPath('users', name!), body);
        done(c.io, c.json, { user: name, created: status === 201 }, `user '${name}' ${status === 201 ? 'created' : 'updated'}`);
      }),
    );
  users
    .command('delete <name>')
    .description('delete a user: its permissions go, its connections and browser sessions are closed')
    .action(
      act(io, async (c, [name]) => {
        await c.api.call('DELETE', apiPath('users', name!));
        done(c.io, c.json, { user: name, deleted: true }, `user '${name}' deleted`);
      }),
    );
  users.addCommand(whoamiCommand(io));
  return users;
}

/** At most one way to give the password; a hash only with its algorithm. */
async function passwordOf(c: Context, given: string | undefined, flags: Flags): Promise<UserBody> {
  const ways = [given !== undefined, flags.passwordStdin === true, flags.passwordHash !== undefined].filter(Boolean).length;
  if (ways > 1) throw new CliFailure(EXIT.usage, 'give the password one way: as an argument, with --password-stdin, or with --password-hash');
  if (flags.hashingAlgorithm !== undefined && flags.passwordHash === undefined) throw new CliFailure(EXIT.usage, '--hashing-algorithm goes with --password-hash');
  if (flags.passwordHash !== undefined) {
    return flags.hashingAlgorithm === undefined ? { password_hash: flags.passwordHash } : { password_hash: flags.passwordHash, hashing_algorithm: flags.hashingAlgorithm };
  }
  if (flags.passwordStdin) {
    if (c.io.readInput === undefined) throw new CliFailure(EXIT.usage, '--password-stdin: there is no standard input to read');
    // One line, as `echo "$PW" | warrenctl users add …` sends it; the newline is not part of the password.
    const password = (await c.io.readInput()).replace(/\r?\n$/, '');
    if (password === '') throw new CliFailure(EXIT.usage, '--password-stdin: standard input is empty');
    return { password };
  }
  return given === undefined ? {} : { password: given };
}

export function whoamiCommand(io: Io): Command {
  return new Command('whoami').description('who the broker takes you for: your user, tags, and how you logged in').action(
    act(io, async (c) => {
      const { body } = await c.api.call<WhoamiView>('GET', '/api/whoami');
      if (c.json) return json(c.io, body);
      // RabbitMQ's fields; the per-vhost permission summary is in --json.
      const { name, tags, mechanism, expires_at } = body;
      fields(c.io, { name, tags: tags.join(','), mechanism, ...(expires_at === undefined ? {} : { expires_at }) });
    }),
  );
}
