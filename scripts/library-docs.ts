/**
 * The props and members reference of docs/library.md, generated from the declarations in lib/ with
 * the TypeScript compiler, so that it lists exactly what a user of the package can pass and read.
 */
import { join, resolve } from 'node:path';
import ts from 'typescript';

const repo = resolve(__dirname, '..');
const BEGIN = '<!-- generated:library-reference (npm run schema) -->';
const END = '<!-- /generated:library-reference -->';

/** What the reference covers: each export and the module a user imports it from. */
const ENTRIES: ReadonlyArray<{ readonly file: string; readonly module: string; readonly names: readonly string[] }> = [
  { file: 'lib/aws.ts', module: 'celerykit/aws', names: ['CeleryPlatformAwsProps', 'CeleryPlatformAws'] },
  { file: 'lib/gcp.ts', module: 'celerykit/gcp', names: ['CeleryPlatformGcpProps', 'CeleryPlatformGcp'] },
  { file: 'lib/policy-pack.ts', module: 'celerykit', names: ['CeleryPolicyPackProps'] },
];

const cell = (text: string) => text.replace(/\s+/g, ' ').replace(/\|/g, '\\|').trim();

/** Public data members of a class or interface, own and inherited from the kit's own classes (not Construct's). */
function members(checker: ts.TypeChecker, declaration: ts.ClassDeclaration | ts.InterfaceDeclaration): string[] {
  const type = checker.getTypeAtLocation(declaration);
  const rows: string[] = [];
  for (const symbol of checker.getPropertiesOfType(type)) {
    const decl = symbol.valueDeclaration ?? symbol.declarations?.[0];
    if (!decl || !(ts.isPropertyDeclaration(decl) || ts.isPropertySignature(decl) || ts.isParameter(decl))) continue;
    const source = decl.getSourceFile().fileName;
    if (source.includes('node_modules')) continue;
    const modifiers = ts.getCombinedModifierFlags(decl as ts.Declaration);
    if (modifiers & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected) || symbol.name.startsWith('_')) continue;
    const optional = (symbol.flags & ts.SymbolFlags.Optional) !== 0;
    const typeText = checker.typeToString(checker.getTypeOfSymbolAtLocation(symbol, decl), undefined, ts.TypeFormatFlags.NoTruncation);
    const doc = ts.displayPartsToString(symbol.getDocumentationComment(checker));
    const defaults = symbol
      .getJsDocTags(checker)
      .filter((tag) => tag.name === 'default')
      .map((tag) => ts.displayPartsToString(tag.text));
    const from = source === declaration.getSourceFile().fileName ? '' : ` (from ${source.slice(repo.length + 1).replace(/\.ts$/, '')})`;
    // A member a user can read but nobody explained is a gap in the package, not in the docs.
    if (!doc) throw new Error(`${source.slice(repo.length + 1)}: public member ${symbol.name} has no JSDoc; say what it is, for docs/library.md`);
    const description = [doc, ...defaults.map((d) => `Default: ${d}`)].join(' ');
    rows.push(`| \`${symbol.name}${optional ? '?' : ''}\` | \`${cell(typeText)}\` | ${cell(description)}${from} |`);
  }
  return rows;
}

/** The generated section: one table per props interface and class. */
export function renderLibraryReference(): string {
  const program = ts.createProgram(
    ENTRIES.map((e) => join(repo, e.file)),
    { strict: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, skipLibCheck: true, noEmit: true },
  );
  const checker = program.getTypeChecker();
  const out: string[] = [BEGIN, ''];
  for (const entry of ENTRIES) {
    const source = program.getSourceFile(join(repo, entry.file));
    if (!source) throw new Error(`${entry.file} is not in the program`);
    for (const name of entry.names) {
      const declaration = source.statements.find(
        (s): s is ts.ClassDeclaration | ts.InterfaceDeclaration => (ts.isClassDeclaration(s) || ts.isInterfaceDeclaration(s)) && s.name?.text === name,
      );
      if (!declaration) throw new Error(`${entry.file} declares no ${name}`);
      const symbol = checker.getSymbolAtLocation(declaration.name!);
      const summary = symbol ? cell(ts.displayPartsToString(symbol.getDocumentationComment(checker))) : '';
      out.push(`### \`${name}\` (\`${entry.module}\`)`, '');
      if (summary) out.push(summary, '');
      out.push('| member | type | what it is |', '|---|---|---|', ...members(checker, declaration), '');
    }
  }
  out.push(END);
  return out.join('\n');
}

/** `markdown` with its generated section replaced; throws when the markers are missing. */
export function withLibraryReference(markdown: string): string {
  const begin = markdown.indexOf(BEGIN);
  const end = markdown.indexOf(END);
  if (begin < 0 || end < begin) throw new Error(`docs/library.md needs the markers ${BEGIN} and ${END}`);
  return markdown.slice(0, begin) + renderLibraryReference() + markdown.slice(end + END.length);
}
