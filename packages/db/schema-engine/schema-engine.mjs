#!/usr/bin/env node
// Stand-in for Prisma's native `schema-engine` binary, for machines that cannot download it.
// The Prisma CLI runs it when PRISMA_SCHEMA_ENGINE_BINARY names it (prisma/prisma.config.ts does).
// It runs the schema engine that @prisma/schema-engine-wasm ships as WebAssembly, talking to
// PostgreSQL through @prisma/adapter-pg.
//
// Two forms, as the CLI calls them:
//   schema-engine-mjs [--datamodels FILE]… [--datasource JSON] [other flags ignored]
//       newline-delimited JSON-RPC 2.0 on stdin/stdout; nothing else may reach stdout.
//   schema-engine-mjs --datasource JSON cli can-connect-to-database|create-database|drop-database
//       one-shot; failures are JSON log lines on stderr and exit status 1, like the native engine.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { randomUUID } from "node:crypto";
import path from "node:path";
import readline from "node:readline";
import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";

const require = createRequire(import.meta.url);

/** Error with a Prisma error code (P1000…), reported the way the native engine reports it. */
class EngineError extends Error {
  /** @param {string} code @param {string} message */
  constructor(code, message) {
    super(message);
    this.name = "EngineError";
    this.code = code;
  }
}

// ------------------------------------------------------------------ logging (stderr only)

/** @param {"INFO"|"WARN"|"ERROR"} level @param {string} message @param {Record<string, unknown>} [fields] */
function logLine(level, message, fields = {}) {
  const line = {
    timestamp: new Date().toISOString(),
    level,
    fields: { message, ...fields },
    target: "schema_engine::logger",
  };
  process.stderr.write(`${JSON.stringify(line)}\n`);
}

// ------------------------------------------------------------------ command line

/**
 * @typedef {{ url?: string, shadowDatabaseUrl?: string }} Datasource
 * @typedef {{ datamodelPaths: string[], datasource: Datasource, cliCommand: string | null }} Arguments
 */

/** @param {string[]} argv @returns {Arguments} */
function parseArguments(argv) {
  /** @type {Arguments} */
  const parsed = { datamodelPaths: [], datasource: {}, cliCommand: null };
  const isValue = (/** @type {string | undefined} */ value) => value !== undefined && !value.startsWith("--") && value !== "cli";
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (arg === "--datamodels") {
      for (let value = argv[i + 1]; value !== undefined && isValue(value); value = argv[i + 1]) {
        parsed.datamodelPaths.push(value);
        i++;
      }
    } else if (arg === "--datasource") {
      try {
        parsed.datasource = JSON.parse(argv[++i] ?? "");
      } catch {
        throw new EngineError("P1012", "--datasource must be a JSON object such as {\"url\":\"postgresql://…\"}");
      }
    } else if (arg === "cli") {
      parsed.cliCommand = argv[++i] ?? "";
    } else if (arg === "--version" || arg === "-V") {
      parsed.cliCommand = "--version";
    } else if (arg.startsWith("--") && isValue(argv[i + 1])) {
      i++; // flags this stand-in does not need (--enabled-preview-features, --extension-types)
    }
  }
  return parsed;
}

// ------------------------------------------------------------------ PostgreSQL connection settings

/**
 * Splits a postgresql:// URL into pg pool settings. A settings object (rather than a
 * connectionString) lets `{ ...config, database }` point a pool at another database.
 * @param {string | undefined} url
 * @returns {{ config: pg.PoolConfig, schema: string | undefined }}
 */
function poolSettingsFromUrl(url) {
  if (!url) throw new EngineError("P1012", "The datasource has no url; set DATABASE_URL.");
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    throw new EngineError("P1013", "The provided database string is invalid. It is not a valid URL.");
  }
  if (parsed.protocol !== "postgresql:" && parsed.protocol !== "postgres:") {
    throw new EngineError("P1013", `The provided database string is invalid. Unsupported scheme ${parsed.protocol}`);
  }
  const params = parsed.searchParams;
  /** @type {pg.PoolConfig} */
  const config = {
    host: params.get("host") ?? (decodeURIComponent(parsed.hostname) || "localhost"),
    port: Number(parsed.port || 5432),
    user: decodeURIComponent(parsed.username) || undefined,
    password: decodeURIComponent(parsed.password) || undefined,
    database: decodeURIComponent(parsed.pathname.replace(/^\//, "")) || "postgres",
    max: 4,
  };
  const sslmode = params.get("sslmode");
  if (sslmode === "require" || sslmode === "prefer") config.ssl = { rejectUnauthorized: false };
  else if (sslmode === "verify-ca" || sslmode === "verify-full") config.ssl = true;
  return { config, schema: params.get("schema") ?? undefined };
}

/** Maps a pg connection/query error to the engine's user-facing error. @param {any} error @param {pg.PoolConfig} config */
function toEngineError(error, config) {
  const where = `${config.host}:${config.port}`;
  switch (error?.code) {
    case "ECONNREFUSED":
    case "ENOTFOUND":
    case "ETIMEDOUT":
    case "EHOSTUNREACH":
    case "ENOENT":
      return new EngineError("P1001", `Can't reach database server at \`${where}\`\n\nPlease make sure your database server is running at \`${where}\`.`);
    case "28P01":
    case "28000":
      return new EngineError("P1000", `Authentication failed against database server at \`${where}\`, the provided database credentials for \`${config.user}\` are not valid.`);
    case "3D000":
      return new EngineError("P1003", `Database \`${config.database}\` does not exist on the database server at \`${where}\`.`);
    case "42P04":
      return new EngineError("P1009", `Database \`${config.database}\` already exists on the database server at \`${where}\``);
    default:
      return new EngineError("P1000", String(error?.message ?? error));
  }
}

/** Runs `work` with a client connected to `config`; always closes it. @template T */
async function withClient(/** @type {pg.ClientConfig} */ config, /** @type {(c: pg.Client) => Promise<T>} */ work) {
  const client = new pg.Client({ ...config, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    return await work(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** The database to connect to when administering `database` itself. @param {string | undefined} database */
function maintenanceDatabaseFor(database) {
  return database === "postgres" ? "template1" : "postgres";
}

/** @param {string} identifier */
function quoteIdentifier(identifier) {
  return `"${identifier.replaceAll('"', '""')}"`;
}

// ------------------------------------------------------------------ one-shot CLI commands

/** @param {string} command @param {Datasource} datasource */
async function runCliCommand(command, datasource) {
  const { config } = poolSettingsFromUrl(datasource.url);
  try {
    switch (command) {
      case "can-connect-to-database":
        await withClient(config, (client) => client.query("SELECT 1"));
        return;
      case "create-database":
        await withClient({ ...config, database: maintenanceDatabaseFor(config.database) }, (client) =>
          client.query(`CREATE DATABASE ${quoteIdentifier(String(config.database))}`),
        );
        logLine("INFO", `Database '${config.database}' was successfully created.`);
        return;
      case "drop-database":
        await withClient({ ...config, database: maintenanceDatabaseFor(config.database) }, (client) =>
          client.query(`DROP DATABASE ${quoteIdentifier(String(config.database))}`),
        );
        logLine("INFO", `Database '${config.database}' was successfully dropped.`);
        return;
      default:
        throw new EngineError("P1000", `Unknown cli command: ${command}`);
    }
  } catch (error) {
    throw error instanceof EngineError ? error : toEngineError(error, config);
  }
}

// ------------------------------------------------------------------ driver adapter workarounds

// OIDs @prisma/adapter-pg can map to a column type; other built-in OIDs (the catalog types
// "char", int2vector, regproc, …) make it throw (prisma/orm#27403), so they are presented as text.
const TEXT_OID = 25;
const TEXT_ARRAY_OID = 1009;
const FIRST_NORMAL_OBJECT_ID = 16384;
const ADAPTER_PG_OIDS = new Set([
  16, 17, 19, 20, 21, 23, 25, 26, 114, 142, 650, 700, 701, 790, 869, 1042, 1043, 1082, 1083, 1114,
  1184, 1266, 1560, 1562, 1700, 2950, 3802,
  143, 199, 651, 791, 1000, 1001, 1002, 1005, 1007, 1009, 1014, 1015, 1016, 1021, 1022, 1028, 1041,
  1115, 1182, 1183, 1185, 1231, 1561, 1563, 2951, 3807,
]);

/** @param {pg.QueryResult | undefined} result */
function presentUnknownTypesAsText(result) {
  if (!result?.fields) return;
  for (const [column, field] of result.fields.entries()) {
    if (field.dataTypeID >= FIRST_NORMAL_OBJECT_ID || ADAPTER_PG_OIDS.has(field.dataTypeID)) continue;
    const holdsArrays = result.rows.some((row) => Array.isArray(Array.isArray(row) ? row[column] : row[field.name]));
    field.dataTypeID = holdsArrays ? TEXT_ARRAY_OID : TEXT_OID;
  }
}

/** A pg pool whose clients rewrite unsupported built-in column types (see ADAPTER_PG_OIDS). */
function createPool(/** @type {pg.PoolConfig} */ config) {
  const pool = new pg.Pool(config);
  pool.on("connect", (client) => {
    /** @type {(...args: any[]) => any} */
    const query = client.query.bind(client);
    // pg.Pool#query calls client.query with a callback; adapter-pg's transactions use promises.
    /** @type {any} */ (client).query = (/** @type {any[]} */ ...args) => {
      const callback = args.at(-1);
      if (typeof callback === "function") {
        args[args.length - 1] = (/** @type {Error | null} */ error, /** @type {pg.QueryResult} */ result) => {
          if (!error) presentUnknownTypesAsText(result);
          callback(error, result);
        };
        return query(...args);
      }
      const returned = query(...args);
      return typeof returned?.then === "function"
        ? returned.then((/** @type {pg.QueryResult} */ result) => {
            presentUnknownTypesAsText(result);
            return result;
          })
        : returned;
    };
  });
  pool.on("error", (error) => logLine("WARN", `idle database connection failed: ${error.message}`));
  return pool;
}

/**
 * The whole migration script goes to PostgreSQL in one simple-protocol query, as the native
 * engine does; adapter-pg's executeScript splits on every ";", even inside strings and comments.
 * @param {any} adapter
 */
function sendScriptsWhole(adapter) {
  adapter.executeScript = async (/** @type {string} */ script) => {
    try {
      await adapter.underlyingDriver().query(script);
    } catch (error) {
      adapter.onError(error);
    }
  };
  return adapter;
}

/** Names of temporary shadow databases not dropped yet, for cleanup on SIGTERM. */
const liveShadowDatabases = new Set();

/**
 * A migration-aware adapter factory for one PostgreSQL server. connectToShadowDb creates a fresh
 * temporary database and really connects to it (adapter-pg's own version ends up on the main
 * database when given a connection string), and drops it on dispose.
 * @param {{ url: string, shadowDatabaseUrl?: string }} datasource
 */
function createAdapterFactory(datasource) {
  const { config, schema } = poolSettingsFromUrl(datasource.url);
  const adapterOptions = schema ? { schema } : undefined;

  /** @param {pg.PoolConfig} poolConfig */
  const connectTo = async (poolConfig) => {
    const factory = new PrismaPg(createPool(poolConfig), { ...adapterOptions, disposeExternalPool: true });
    return sendScriptsWhole(await factory.connect());
  };

  const factory = {
    provider: "postgres",
    adapterName: "@prisma/adapter-pg",
    connect: () => connectTo(config),
    connectToShadowDb: async () => {
      const database = `prisma_migrate_shadow_db_${randomUUID()}`;
      const admin = { ...config, database: maintenanceDatabaseFor(config.database) };
      await withClient(admin, (client) => client.query(`CREATE DATABASE ${quoteIdentifier(database)}`));
      liveShadowDatabases.add(database);
      const adapter = await connectTo({ ...config, database });
      const dispose = adapter.dispose.bind(adapter);
      adapter.dispose = async () => {
        await dispose();
        await dropShadowDatabase(admin, database);
      };
      return adapter;
    },
  };
  return { factory, adminConfig: { ...config, database: maintenanceDatabaseFor(config.database) } };
}

/** @param {pg.ClientConfig} admin @param {string} database */
async function dropShadowDatabase(admin, database) {
  await withClient(admin, (client) => client.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(database)} WITH (FORCE)`));
  liveShadowDatabases.delete(database);
}

// ------------------------------------------------------------------ wasm engine

/** Loads @prisma/schema-engine-wasm without a bundler: instantiate the module, then __wbg_set_wasm. */
async function loadWasmEngine() {
  const bindingsPath = require.resolve("@prisma/schema-engine-wasm/schema_engine_bg");
  const bindings = await import(bindingsPath);
  const wasmBytes = await readFile(path.join(path.dirname(bindingsPath), "schema_engine_bg.wasm"));
  const { instance } = await WebAssembly.instantiate(wasmBytes, { "./schema_engine_bg.js": bindings });
  // The bindings report Rust panics through this registry.
  /** @type {any} */ (globalThis).PRISMA_WASM_PANIC_REGISTRY ??= {
    message: "",
    set_message(/** @type {string} */ message) {
      this.message = message;
    },
  };
  bindings.__wbg_set_wasm(instance.exports);
  /** @type {any} */ (instance.exports).__wbindgen_start();
  return bindings;
}

// Used when the CLI sends no schema file: the wasm engine panics without one.
/** @type {[string, string]} */
const PLACEHOLDER_SCHEMA = ["schema.prisma", 'datasource db {\n  provider = "postgresql"\n}\n'];

/** @param {string[]} datamodelPaths @returns {Promise<[string, string][]>} */
async function readDatamodels(datamodelPaths) {
  if (datamodelPaths.length === 0) return [PLACEHOLDER_SCHEMA];
  return Promise.all(datamodelPaths.map(async (file) => /** @type {[string, string]} */ ([file, await readFile(file, "utf8")])));
}

// ------------------------------------------------------------------ JSON-RPC server

/** @param {unknown} message */
function send(message) {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

/** Converts whatever the engine threw into a JSON-RPC error object the CLI understands. */
function rpcError(/** @type {any} */ error) {
  const panicMessage = /** @type {any} */ (globalThis).PRISMA_WASM_PANIC_REGISTRY?.message;
  const isPanic = error instanceof WebAssembly.RuntimeError || Boolean(panicMessage);
  const message = isPanic && panicMessage ? panicMessage : String(error?.message ?? error);
  return {
    code: 4466,
    message: "An error happened. Check the data field for details.",
    data: {
      is_panic: isPanic,
      message,
      error_code: error?.code ?? error?.error_code ?? undefined,
      meta: error?.meta ?? undefined,
    },
  };
}

/** @param {Arguments} args */
async function serveJsonRpc(args) {
  /** @type {any} */
  let engine;
  const startEngine = async () => {
    // The wasm engine queries the server as soon as it starts, even for schema-to-schema diffs.
    if (!args.datasource.url) {
      throw new EngineError("P1012", "The WebAssembly schema engine needs a database for every command: set DATABASE_URL.");
    }
    if (args.datasource.shadowDatabaseUrl) {
      logLine("WARN", "shadowDatabaseUrl is ignored: a temporary shadow database is created on the main server instead.");
    }
    const { factory } = createAdapterFactory({ url: args.datasource.url });
    const bindings = await loadWasmEngine();
    engine = await bindings.SchemaEngine.new(
      { datamodels: await readDatamodels(args.datamodelPaths) },
      (/** @type {string} */ log) => process.stderr.write(log.endsWith("\n") ? log : `${log}\n`),
      bindMigrationAwareSqlAdapterFactory(/** @type {any} */ (factory)),
    );
  };
  const engineReady = startEngine();
  // A failed start is reported to each request that awaits engineReady, not as an unhandled rejection.
  engineReady.catch(() => {});

  /** Responses the CLI owes us for our own requests (the `print` request). */
  const pendingClientRequests = new Map();
  let shadowHistoryDiagnosed = false;

  /** @param {string} content */
  const printOnCliStdout = (content) =>
    new Promise((resolve) => {
      const id = `print-${randomUUID()}`;
      pendingClientRequests.set(id, resolve);
      send({ jsonrpc: "2.0", id, method: "print", params: { content } });
    });

  /** @param {string} method @param {any} params */
  const dispatch = async (method, params) => {
    await engineReady;
    switch (method) {
      case "getDatabaseVersion":
        return engine.version(params ?? null);
      case "diff": {
        const { stdout, ...result } = await engine.diff(params);
        if (stdout) await printOnCliStdout(stdout);
        return result;
      }
      case "evaluateDataLoss":
      case "createMigration":
        // The wasm engine only learns its shadow database from diagnoseMigrationHistory.
        if (!shadowHistoryDiagnosed) {
          await engine.diagnoseMigrationHistory({
            migrationsList: params.migrationsList,
            optInToShadowDatabase: true,
            filters: params.filters,
          });
          shadowHistoryDiagnosed = true;
        }
        return engine[method](params);
      case "diagnoseMigrationHistory": {
        const result = await engine.diagnoseMigrationHistory(params);
        if (params?.optInToShadowDatabase) shadowHistoryDiagnosed = true;
        return result;
      }
      default:
        if (typeof engine[method] !== "function" || method.startsWith("_") || method === "free") {
          throw Object.assign(new Error(`Method not found: ${method}`), { rpcCode: -32601 });
        }
        return engine[method](params);
    }
  };

  // Requests run strictly one at a time, in arrival order.
  let queue = Promise.resolve();
  const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  lines.on("line", (line) => {
    if (line.trim() === "") return;
    /** @type {any} */
    let message;
    try {
      message = JSON.parse(line);
    } catch {
      send({ jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error" } });
      return;
    }
    if (message.method === undefined && pendingClientRequests.has(message.id)) {
      pendingClientRequests.get(message.id)(message.result);
      pendingClientRequests.delete(message.id);
      return;
    }
    queue = queue.then(async () => {
      try {
        const result = await dispatch(String(message.method), message.params);
        send({ jsonrpc: "2.0", id: message.id, result: result ?? null });
      } catch (error) {
        const rpcCode = /** @type {any} */ (error)?.rpcCode;
        send({
          jsonrpc: "2.0",
          id: message.id,
          error: rpcCode ? { code: rpcCode, message: String(/** @type {any} */ (error).message) } : rpcError(error),
        });
      }
    });
  });
  lines.on("close", () => {
    queue.then(() => shutdown(0));
  });
}

// ------------------------------------------------------------------ process lifecycle

let shuttingDown = false;
/** @param {number} status */
async function shutdown(status) {
  if (shuttingDown) return;
  shuttingDown = true;
  const datasourceUrl = parsedArguments?.datasource.url;
  if (liveShadowDatabases.size > 0 && datasourceUrl) {
    const { adminConfig } = createAdapterFactory({ url: datasourceUrl });
    for (const database of [...liveShadowDatabases]) {
      await dropShadowDatabase(adminConfig, database).catch((error) =>
        logLine("WARN", `could not drop shadow database ${database}: ${error.message}`),
      );
    }
  }
  process.exit(status);
}

/** @type {Arguments | undefined} */
let parsedArguments;

async function main() {
  const argv = process.argv.slice(2);
  // The CLI skips the first stderr line of a one-shot command before parsing the rest as JSON logs.
  if (argv.includes("cli")) logLine("INFO", "Starting schema engine stand-in");
  parsedArguments = parseArguments(argv);
  if (parsedArguments.cliCommand === "--version") {
    const bindings = await loadWasmEngine();
    process.stdout.write(`schema-engine-wasm ${bindings.version()}\n`);
    return;
  }
  if (parsedArguments.cliCommand !== null) {
    await runCliCommand(parsedArguments.cliCommand, parsedArguments.datasource);
    return;
  }
  process.on("SIGTERM", () => void shutdown(0));
  process.on("SIGINT", () => void shutdown(130));
  await serveJsonRpc(parsedArguments);
}

main().catch((error) => {
  if (error instanceof EngineError) {
    logLine("ERROR", error.message, { error_code: error.code });
  } else {
    logLine("ERROR", String(error?.stack ?? error));
  }
  process.exit(1);
});
