/** What `npm run backup` and `npm run restore` share: settings, tools and the blob prefixes. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadScriptConfig, type AppConfig } from '@cmvc/config';
import { privateServicesEnv } from './private-services.ts';

/** Every part of the blob store; uploads are transient and not backed up. */
export const BACKED_UP_PREFIXES = ['sources/', 'videos/', 'renditions/'] as const;
export const DATABASE_FILE = 'database.dump';
export const BLOB_DIRECTORY = 'blobs';
export const MANIFEST_FILE = 'manifest.json';

export interface Manifest {
  readonly createdAt: string;
  readonly blobs: number;
  readonly blobBytes: number;
}

/** The archive's settings; without DATABASE_URL, those of the private services (`scripts/services.sh env`). */
export function archiveConfig(): AppConfig {
  return loadScriptConfig(() => privateServicesEnv({ start: false }));
}

/** PostgreSQL 15 client tools: Debian's versioned directory first, then PATH. */
export function pgTool(name: 'pg_dump' | 'pg_restore'): string {
  const versioned = `/usr/lib/postgresql/15/bin/${name}`;
  return existsSync(versioned) ? versioned : name;
}

export function run(command: string, args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited with ${code}: ${stderr.trim()}`))));
  });
}
