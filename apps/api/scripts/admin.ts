/**
 * Administration from the server's shell, for bootstrapping access:
 *
 *   admin.ts create-user EMAIL --scope admin [--password P]   (a random password is printed if none is given)
 *   admin.ts create-token NAME --scope ingest [--scope read] [--replace]   (prints the token once)
 *
 * Reads DATABASE_URL. --replace revokes earlier live tokens with the same name first.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { AuthRepository, createDatabase, type Scope } from '@cmvc/db';
import { loadConfig } from '@cmvc/config';
import { AuthService } from '@cmvc/core';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    scope: { type: 'string', multiple: true, default: [] },
    password: { type: 'string' },
    replace: { type: 'boolean', default: false },
  },
});
const [command, subject] = positionals;
const scopes = (values.scope ?? []).map((scope) => scope.toUpperCase());
if (!command || !subject || scopes.length === 0 || scopes.some((scope) => !['READ', 'INGEST', 'ADMIN'].includes(scope))) {
  console.error('usage: admin.ts create-user EMAIL --scope read|ingest|admin [--password P]\n       admin.ts create-token NAME --scope read|ingest|admin [--replace]');
  process.exit(2);
}

const db = createDatabase(loadConfig().databaseUrl);
const repository = new AuthRepository(db);
const auth = new AuthService(repository, true);
try {
  if (command === 'create-user') {
    const password = values.password ?? randomBytes(12).toString('base64url');
    await auth.createUser(subject, password, scopes as Scope[]);
    console.log(values.password ? `user ${subject} saved` : `user ${subject} saved with password ${password}`);
  } else if (command === 'create-token') {
    if (values.replace) {
      for (const token of await repository.listTokens()) {
        if (token.name === subject && !token.revokedAt) await repository.revokeToken(token.id);
      }
    }
    const { token } = await auth.createToken(subject, scopes as Scope[]);
    console.log(token);
  } else {
    console.error(`unknown command ${command}`);
    process.exitCode = 2;
  }
} finally {
  await db.$disconnect();
}
