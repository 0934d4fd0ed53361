/**
 * Names a workspace package's public door (src/index.ts) exports that nothing outside the
 * package's src/ imports: each package's index should export what other packages, the tests
 * of test/, bench/, scripts/ and the package's own scripts/ import, and nothing else.
 *
 *   pnpm exec tsx scripts/unused-exports.ts [--json]
 *
 * Exits 1 when any package exports a name nobody outside it imports. A namespace import
 * (`import * as x`), a re-export of everything or a dynamic import of a package counts as
 * using all of it; generated record types, exported whole, are not listed.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import ts from 'typescript';

const root = new URL('..', import.meta.url).pathname;
const SKIP = new Set(['node_modules', 'dist', '.healstream', '.git', 'generated']);

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (SKIP.has(name) || name.startsWith('.dist')) return [];
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(ts|js|mjs)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** `packages/core` → `@healstream/core`, for every workspace package with a src/index.ts. */
function workspacePackages(): Map<string, string> {
  const found = new Map<string, string>();
  for (const floor of ['packages', 'services']) {
    for (const dir of readdirSync(join(root, floor))) {
      const manifest = join(root, floor, dir, 'package.json');
      const index = join(root, floor, dir, 'src', 'index.ts');
      try {
        statSync(index);
      } catch {
        continue;
      }
      const { name } = JSON.parse(readFileSync(manifest, 'utf8')) as { name: string };
      found.set(name, join(floor, dir));
    }
  }
  return found;
}

/** The names each package is imported by, from files outside the package; '*' for all of it. */
function importedNames(packages: Map<string, string>): Map<string, Set<string>> {
  const used = new Map([...packages.keys()].map((name) => [name, new Set<string>()]));
  const files = ['packages', 'services', 'test', 'bench', 'scripts', 'deploy'].flatMap((d) =>
    sources(join(root, d)),
  );
  for (const file of files) {
    const rel = relative(root, file);
    const text = readFileSync(file, 'utf8');
    if (!text.includes('@healstream/')) continue;
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const note = (specifier: string, names: string[] | '*') => {
      const set = used.get(specifier);
      const home = packages.get(specifier);
      if (!set || (home && rel.startsWith(`${home}/src/`))) return;
      for (const n of names === '*' ? ['*'] : names) set.add(n);
    };
    const visit = (node: ts.Node) => {
      if (
        (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
        node.moduleSpecifier &&
        ts.isStringLiteral(node.moduleSpecifier)
      ) {
        const specifier = node.moduleSpecifier.text;
        if (ts.isImportDeclaration(node)) {
          const clause = node.importClause;
          const bindings = clause?.namedBindings;
          if (!clause || (bindings && ts.isNamespaceImport(bindings)) || clause.name)
            note(specifier, '*');
          else if (bindings)
            note(
              specifier,
              bindings.elements.map((e) => (e.propertyName ?? e.name).text),
            );
        } else {
          const clause = node.exportClause;
          if (!clause || !ts.isNamedExports(clause)) note(specifier, '*');
          else
            note(
              specifier,
              clause.elements.map((e) => (e.propertyName ?? e.name).text),
            );
        }
      } else if (
        ts.isCallExpression(node) &&
        node.expression.kind === ts.SyntaxKind.ImportKeyword &&
        node.arguments[0] &&
        ts.isStringLiteral(node.arguments[0])
      ) {
        note(node.arguments[0].text, '*');
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return used;
}

/** Every name a package's index exports, `export *` followed through the type checker. */
function exportedNames(packages: Map<string, string>): Map<string, string[]> {
  const indexes = [...packages.values()].map((dir) => join(root, dir, 'src', 'index.ts'));
  const config = ts.getParsedCommandLineOfConfigFile(
    join(root, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: () => {},
    },
  );
  const program = ts.createProgram(indexes, { ...config?.options, noEmit: true });
  const checker = program.getTypeChecker();
  const exported = new Map<string, string[]>();
  for (const [name, dir] of packages) {
    const source = program.getSourceFile(join(root, dir, 'src', 'index.ts'));
    const symbol = source && checker.getSymbolAtLocation(source);
    const generated = (s: ts.Symbol) => {
      const target = s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s;
      return target.declarations?.some((d) => d.getSourceFile().fileName.includes('/generated/'));
    };
    // Generated records are the schemas' types, exported whole; the rest is chosen name by name.
    const names = symbol ? checker.getExportsOfModule(symbol).filter((s) => !generated(s)) : [];
    exported.set(
      name,
      names.map((s) => s.name),
    );
  }
  return exported;
}

const { values } = parseArgs({ options: { json: { type: 'boolean' } } });
const packages = workspacePackages();
const used = importedNames(packages);
const unused: Record<string, string[]> = {};
for (const [name, names] of exportedNames(packages)) {
  const importers = used.get(name) ?? new Set();
  if (importers.has('*')) continue;
  const idle = names.filter((n) => !importers.has(n)).sort();
  if (idle.length > 0) unused[name] = idle;
}
if (values.json) console.log(JSON.stringify(unused, null, 2));
else {
  for (const [name, idle] of Object.entries(unused))
    console.log(`${name} (${packages.get(name)}/src/index.ts): ${idle.join(', ')}`);
  const count = Object.values(unused).flat().length;
  console.log(
    count === 0
      ? 'every exported name is imported outside its package'
      : `${count} exported names nobody outside their package imports`,
  );
}
process.exitCode = Object.keys(unused).length > 0 ? 1 : 0;
