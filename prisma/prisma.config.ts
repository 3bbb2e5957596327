// Prisma CLI configuration. Run the CLI as `npx prisma <command> --config prisma/prisma.config.ts`.
// Migrations run through the WebAssembly schema engine stand-in, so nothing is ever downloaded.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "prisma/config";

const prismaDir = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.dirname(prismaDir);

process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.join(repoRoot, "packages/db/schema-engine/schema-engine.mjs");

const databaseUrl = process.env.DATABASE_URL;

export default defineConfig({
  schema: path.join(prismaDir, "schema.prisma"),
  migrations: { path: path.join(prismaDir, "migrations") },
  // Commands that need no database (generate, validate, format) work without DATABASE_URL.
  ...(databaseUrl ? { datasource: { url: databaseUrl } } : {}),
});
