import { createHash, randomBytes, scrypt as scryptCallback, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { badUserInput, DomainError, notFound } from '../errors.ts';
import type { ApiToken, AuthRepository, Scope } from '@cmvc/db';
import type { LoginThrottle } from './login-throttle.ts';

const scrypt = promisify(scryptCallback) as (password: string, salt: Buffer, length: number, options: object) => Promise<Buffer>;

export const SESSION_COOKIE = 'cmvc_session';
const SESSION_DAYS = 14;
const TOKEN_PREFIX = 'cmvc_';
const SCRYPT = { N: 16384, r: 8, p: 1, keyLength: 32 } as const;

/** Who is calling, and what they may do. */
export interface Principal {
  readonly kind: 'anonymous' | 'token' | 'session' | 'open';
  readonly name: string;
  readonly scopes: ReadonlySet<Scope>;
}

/** ADMIN implies INGEST, which implies READ. */
export function expandScopes(scopes: readonly Scope[]): ReadonlySet<Scope> {
  const expanded = new Set<Scope>(scopes);
  if (expanded.has('ADMIN')) expanded.add('INGEST');
  if (expanded.has('INGEST')) expanded.add('READ');
  return expanded;
}

export const ANONYMOUS: Principal = { kind: 'anonymous', name: 'anonymous', scopes: new Set() };
/** With AUTH=off every caller may do everything (for single-user machines and some tests). */
export const OPEN: Principal = { kind: 'open', name: 'open access', scopes: expandScopes(['ADMIN']) };

export function requireScope(principal: Principal, scope: Scope): void {
  if (principal.scopes.has(scope)) return;
  if (principal.kind === 'anonymous') {
    throw new DomainError('UNAUTHENTICATED', 'Sign in or send an API token (Authorization: Bearer …)');
  }
  throw new DomainError('FORBIDDEN', `This needs the ${scope.toLowerCase()} scope`);
}

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(password, salt, SCRYPT.keyLength, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p });
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await scrypt(password, Buffer.from(salt, 'base64url'), expected.length, { N: Number(n), r: Number(r), p: Number(p) });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** Reads the session cookie out of a Cookie header. */
export function sessionFromCookie(header: string | undefined): string | null {
  for (const part of (header ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === SESSION_COOKIE && value.length > 0) return decodeURIComponent(value.join('='));
  }
  return null;
}

export class AuthService {
  /** Checked against unknown emails, so they cost the same scrypt work as known ones. */
  private decoyHash: Promise<string> | undefined;

  constructor(
    private readonly auth: AuthRepository,
    private readonly required: boolean,
    private readonly throttle: LoginThrottle | null = null,
  ) {}

  /** Resolves a bearer token or session cookie to a principal; unknown credentials are anonymous. */
  async authenticate(headers: { authorization?: string | undefined; cookie?: string | undefined }): Promise<Principal> {
    if (!this.required) return OPEN;
    const bearer = /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? '')?.[1];
    if (bearer) {
      const token = await this.auth.findLiveToken(sha256(bearer));
      if (!token) return ANONYMOUS;
      void this.auth.touchToken(token.id).catch(() => {});
      return { kind: 'token', name: token.name, scopes: expandScopes(token.scopes) };
    }
    const cookie = sessionFromCookie(headers.cookie);
    if (cookie) {
      const session = await this.auth.findLiveSession(sha256(cookie));
      if (session) return { kind: 'session', name: session.user.email, scopes: expandScopes(session.user.scopes) };
    }
    return ANONYMOUS;
  }

  /** Starts a session; returns the cookie value and when it expires. */
  async login(email: string, password: string, clientAddress = 'unknown'): Promise<{ cookie: string; expiresAt: Date; principal: Principal }> {
    const account = email.trim().toLowerCase();
    await this.throttle?.check(account, clientAddress);
    const user = await this.auth.findUserByEmail(account);
    this.decoyHash ??= hashPassword(randomBytes(16).toString('base64url'));
    const matches = await verifyPassword(password, user?.passwordHash ?? (await this.decoyHash));
    if (!user || !matches) {
      await this.throttle?.failed(account, clientAddress);
      throw new DomainError('UNAUTHENTICATED', 'Wrong email or password');
    }
    await this.throttle?.succeeded(account);
    const cookie = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + SESSION_DAYS * 24 * 3600 * 1000);
    await this.auth.createSession(user.id, sha256(cookie), expiresAt);
    return { cookie, expiresAt, principal: { kind: 'session', name: user.email, scopes: expandScopes(user.scopes) } };
  }

  logout(cookie: string): Promise<void> {
    return this.auth.deleteSession(sha256(cookie));
  }

  async createUser(email: string, password: string, scopes: Scope[]): Promise<void> {
    if (password.length < 8) throw badUserInput('Passwords need at least 8 characters');
    await this.auth.upsertUser(email.trim().toLowerCase(), await hashPassword(password), scopes);
  }

  /** Creates an API token; the secret is returned here once and only its hash is kept. */
  async createToken(name: string, scopes: Scope[]): Promise<{ token: string; record: ApiToken }> {
    if (scopes.length === 0) throw badUserInput('A token needs at least one scope');
    const token = `${TOKEN_PREFIX}${randomBytes(24).toString('base64url')}`;
    const record = await this.auth.createToken(name, sha256(token), token.slice(0, TOKEN_PREFIX.length + 6), scopes);
    return { token, record };
  }

  listTokens(): Promise<ApiToken[]> {
    return this.auth.listTokens();
  }

  async revokeToken(id: string): Promise<ApiToken> {
    const token = await this.auth.revokeToken(id);
    if (!token) throw notFound(`No API token with id ${id}`);
    return token;
  }
}
