/** The variables of the private services under CMVC_DATA_DIR (`scripts/services.sh env`), for scripts run beside them. */
import { execFileSync } from 'node:child_process';

/** DATABASE_URL and REDIS_URL of the private services; `start` starts them first if they are not running. */
export function privateServicesEnv(options: { readonly start: boolean }): Record<string, string> {
  if (options.start) execFileSync('bash', ['scripts/services.sh', 'start'], { stdio: 'inherit' });
  const exports = execFileSync('bash', ['scripts/services.sh', 'env'], { encoding: 'utf8' });
  return Object.fromEntries([...exports.matchAll(/^export (\w+)=(.*)$/gmu)].map((match) => [match[1]!, match[2]!]));
}
