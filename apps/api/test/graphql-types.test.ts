import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { buildSchema, parse, specifiedRules, validate, type DocumentNode } from 'graphql';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import * as webApi from '../../web/lib/api.ts';
import { DEFAULT_QUERY_LIMITS, queryLimitsRule } from '../src/schema/limits.ts';
import { buildSchema as buildExecutableSchema } from '../src/server.ts';

const run = promisify(execFile);
const root = new URL('../../../', import.meta.url);

/** String literals in a TypeScript file that parse as GraphQL operations (template literals with `${}` are skipped). */
function operationsIn(path: URL): { text: string; document: DocumentNode }[] {
  const source = ts.createSourceFile(path.pathname, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: { text: string; document: DocumentNode }[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
      const text = node.text.trim();
      if (/^(query|mutation|subscription)\b|^\{\s*\w/.test(text)) {
        try {
          found.push({ text, document: parse(text) });
        } catch {
          // Not GraphQL after all (e.g. a JSON or log string).
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('generated GraphQL types', () => {
  it('are in sync with apps/api/schema.graphql and the web client operations (run `npm run codegen`)', async () => {
    const result = await run('npx', ['--no-install', 'graphql-codegen', '--config', 'codegen.ts', '--check'], { cwd: root.pathname }).catch(
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect('code' in result ? `${result.stdout}\n${result.stderr}` : '').toBe('');
  }, 120_000);

  it("the benchmarks' operations are valid against the schema", () => {
    const schema = buildSchema(readFileSync(new URL('apps/api/schema.graphql', root), 'utf8'));
    const files = readdirSync(new URL('bench/', root)).filter((name) => name.endsWith('.ts'));
    const operations = files.flatMap((name) => operationsIn(new URL(`bench/${name}`, root)).map((operation) => ({ name, ...operation })));
    expect(operations.length).toBeGreaterThanOrEqual(4);
    const invalid = operations
      .map(({ name, text, document }) => ({ name, text, errors: validate(schema, document).map((error) => error.message) }))
      .filter((operation) => operation.errors.length > 0);
    expect(invalid).toEqual([]);
  });

  it("the web client's operations pass the API's validation, query limits included", () => {
    const schema = buildExecutableSchema();
    const operations = Object.entries(webApi as Record<string, unknown>).filter((entry): entry is [string, string] => typeof entry[1] === 'string' && /^\s*(query|mutation)\b/.test(entry[1]));
    expect(operations.length).toBeGreaterThanOrEqual(8);
    const rules = [...specifiedRules, queryLimitsRule(DEFAULT_QUERY_LIMITS)];
    const invalid = operations
      .map(([name, text]) => ({ name, errors: validate(schema, parse(text), rules).map((error) => error.message) }))
      .filter((operation) => operation.errors.length > 0);
    expect(invalid).toEqual([]);
  });
});
