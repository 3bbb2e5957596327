import type { Database } from '../client.ts';
import type { ApiToken, Scope, Session, User } from '../generated/client.ts';

/** Users, sessions and API tokens. Only hashes of secrets are ever stored. */
export class AuthRepository {
  constructor(private readonly db: Database) {}

  findUserByEmail(email: string): Promise<User | null> {
    return this.db.user.findUnique({ where: { email } });
  }

  upsertUser(email: string, passwordHash: string, scopes: Scope[]): Promise<User> {
    return this.db.user.upsert({
      where: { email },
      create: { email, passwordHash, scopes },
      update: { passwordHash, scopes },
    });
  }

  createSession(userId: string, tokenHash: string, expiresAt: Date): Promise<Session> {
    return this.db.session.create({ data: { userId, tokenHash, expiresAt } });
  }

  /** The session with its user, if it exists and has not expired. */
  async findLiveSession(tokenHash: string): Promise<(Session & { user: User }) | null> {
    const session = await this.db.session.findUnique({ where: { tokenHash }, include: { user: true } });
    return session && session.expiresAt > new Date() ? session : null;
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.db.session.deleteMany({ where: { tokenHash } });
  }

  createToken(name: string, tokenHash: string, prefix: string, scopes: Scope[]): Promise<ApiToken> {
    return this.db.apiToken.create({ data: { name, tokenHash, prefix, scopes } });
  }

  async findLiveToken(tokenHash: string): Promise<ApiToken | null> {
    const token = await this.db.apiToken.findUnique({ where: { tokenHash } });
    return token && !token.revokedAt ? token : null;
  }

  touchToken(id: string): Promise<ApiToken> {
    return this.db.apiToken.update({ where: { id }, data: { lastUsedAt: new Date() } });
  }

  listTokens(): Promise<ApiToken[]> {
    return this.db.apiToken.findMany({ orderBy: { createdAt: 'desc' } });
  }

  async revokeToken(id: string): Promise<ApiToken | null> {
    await this.db.apiToken.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: new Date() } });
    return this.db.apiToken.findUnique({ where: { id } });
  }
}
