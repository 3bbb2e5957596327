import { DomainError } from '../errors.ts';
import type { Redis } from 'ioredis';
import { RateLimiterRedis, type RateLimiterRes } from 'rate-limiter-flexible';

export interface LoginThrottleLimits {
  readonly maxFailuresPerAccount: number;
  readonly maxFailuresPerAddress: number;
  /** Failures are counted over this many seconds. */
  readonly windowSeconds: number;
}

/** The first lockout lasts this long; each further one within a day lasts twice as long. */
const FIRST_LOCKOUT_SECONDS = 60;
const DAY_SECONDS = 24 * 3600;

function tooManyAttempts(msBeforeNext: number): DomainError {
  const seconds = Math.max(1, Math.ceil(msBeforeNext / 1000));
  return new DomainError('TOO_MANY_REQUESTS', `Too many failed sign-ins; try again in ${seconds} s`, { retryAfterSeconds: seconds });
}

/**
 * Counts failed sign-ins per account and per client address in Redis (shared by every API
 * process). Reaching either limit locks that key out, for longer each time (exponential backoff).
 */
export class LoginThrottle {
  private readonly byAccount: RateLimiterRedis;
  private readonly byAddress: RateLimiterRedis;
  private readonly lockouts: RateLimiterRedis;

  constructor(redis: Redis, limits: LoginThrottleLimits) {
    this.byAccount = new RateLimiterRedis({ storeClient: redis, keyPrefix: 'cmvc:login:account', points: limits.maxFailuresPerAccount, duration: limits.windowSeconds });
    this.byAddress = new RateLimiterRedis({ storeClient: redis, keyPrefix: 'cmvc:login:address', points: limits.maxFailuresPerAddress, duration: limits.windowSeconds });
    this.lockouts = new RateLimiterRedis({ storeClient: redis, keyPrefix: 'cmvc:login:lockouts', points: Number.MAX_SAFE_INTEGER, duration: DAY_SECONDS });
  }

  /** Throws TOO_MANY_REQUESTS (HTTP 429 with Retry-After) while the account or address is locked out. */
  async check(account: string, address: string): Promise<void> {
    const [forAccount, forAddress] = await Promise.all([this.byAccount.get(account), this.byAddress.get(address)]);
    const blocked = [
      { state: forAccount, limit: this.byAccount.points },
      { state: forAddress, limit: this.byAddress.points },
    ].filter((entry): entry is { state: RateLimiterRes; limit: number } => entry.state !== null && entry.state.consumedPoints >= entry.limit);
    if (blocked.length > 0) throw tooManyAttempts(Math.max(...blocked.map((entry) => entry.state.msBeforeNext)));
  }

  async failed(account: string, address: string): Promise<void> {
    await Promise.all([this.count(this.byAccount, `account:${account}`, account), this.count(this.byAddress, `address:${address}`, address)]);
  }

  async succeeded(account: string): Promise<void> {
    await this.byAccount.delete(account);
  }

  private async count(limiter: RateLimiterRedis, lockoutKey: string, key: string): Promise<void> {
    const state = await limiter.consume(key).catch((rejection: unknown) => rejection as RateLimiterRes);
    if (state.consumedPoints < limiter.points) return;
    const lockouts = await this.lockouts.consume(lockoutKey);
    await limiter.block(key, Math.min(DAY_SECONDS, FIRST_LOCKOUT_SECONDS * 2 ** (lockouts.consumedPoints - 1)));
  }
}
