import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'
import { ERRORS, RULES } from '../../src/errors.js'

/**
 * The layout rules of ARCHITECTURE.md "Layout" (issue 10, acceptance 1), read from the
 * sources with the TypeScript parser (string literals and imports, never comments).
 * Each rule prints the full list of offenders.
 */

const ROOT = resolve(import.meta.dirname, '../..')
const SRC = join(ROOT, 'src')

/** Data tables allowed over the size limit (named in README "Project layout"). */
const LARGE_DATA_TABLES = ['src/sandbox/dvcqg/catalog/vocabulary.ts']
const MAX_LINES = 400

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name)
    return statSync(p).isDirectory() ? walk(p) : /\.(ts|mts|cts)$/.test(name) && !name.endsWith('.d.ts') ? [p] : []
  })
}

/** Repository-relative path with forward slashes. */
const rel = (p: string) => relative(ROOT, p).split(sep).join('/')

interface Source {
  path: string
  text: string
  file: ts.SourceFile
}

const sources: Source[] = walk(SRC).map((p) => {
  const text = readFileSync(p, 'utf8')
  return { path: rel(p), text, file: ts.createSourceFile(p, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS) }
})

function visit(node: ts.Node, fn: (n: ts.Node) => void): void {
  fn(node)
  node.forEachChild((c) => visit(c, fn))
}

/** Every string literal and template literal (its static text, each `${…}` replaced by ` _ `). */
function literals(s: Source): { text: string; line: number }[] {
  const out: { text: string; line: number }[] = []
  const line = (n: ts.Node) => s.file.getLineAndCharacterOfPosition(n.getStart(s.file)).line + 1
  visit(s.file, (n) => {
    if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) out.push({ text: n.text, line: line(n) })
    else if (ts.isTemplateExpression(n)) out.push({ text: [n.head.text, ...n.templateSpans.map((sp) => sp.literal.text)].join(' _ '), line: line(n) })
  })
  return out
}

interface ImportRef {
  specifier: string
  /** Repository-relative target for relative specifiers (extension dropped). */
  target?: string
  typeOnly: boolean
  line: number
}

/** Static imports, re-exports and dynamic `import()` of a file. */
function imports(s: Source): ImportRef[] {
  const out: ImportRef[] = []
  const add = (spec: ts.Expression | undefined, typeOnly: boolean, n: ts.Node) => {
    if (!spec || !ts.isStringLiteralLike(spec)) return
    const specifier = spec.text
    const target = specifier.startsWith('.') ? rel(resolve(dirname(join(ROOT, s.path)), specifier)).replace(/\.(js|ts|mjs|cjs)$/, '') : undefined
    out.push({ specifier, target, typeOnly, line: s.file.getLineAndCharacterOfPosition(n.getStart(s.file)).line + 1 })
  }
  visit(s.file, (n) => {
    if (ts.isImportDeclaration(n)) add(n.moduleSpecifier, n.importClause?.isTypeOnly ?? false, n)
    else if (ts.isExportDeclaration(n)) add(n.moduleSpecifier, n.isTypeOnly, n)
    else if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword) add(n.arguments[0], false, n)
    else if (ts.isImportEqualsDeclaration(n) && ts.isExternalModuleReference(n.moduleReference)) add(n.moduleReference.expression, n.isTypeOnly, n)
  })
  return out
}

const under = (path: string | undefined, folder: string) => path !== undefined && (path === folder || path.startsWith(`${folder}/`))
const report = (title: string, offenders: string[]) => (offenders.length ? `${title} (${offenders.length}):\n  ${offenders.join('\n  ')}` : '')

describe('boundaries (ARCHITECTURE.md "Layout", issue 10 acceptance 1)', () => {
  it('reads the sources', () => {
    expect(sources.length).toBeGreaterThan(100)
  })

  it(`no file under src/ is over ${MAX_LINES} lines, except the named data tables`, () => {
    const offenders = sources
      .map((s) => ({ path: s.path, lines: s.text.split('\n').length - (s.text.endsWith('\n') ? 1 : 0) }))
      .filter((f) => f.lines > MAX_LINES && !LARGE_DATA_TABLES.includes(f.path))
      .map((f) => `${f.path}: ${f.lines} lines`)
    expect(report(`files over ${MAX_LINES} lines`, offenders)).toBe('')
  })

  it('the allow-listed data tables exist, are data (at most a row helper or two), and are named in README "Project layout"', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
    const layout = readme.slice(readme.indexOf('## Project layout'), readme.indexOf('\n## ', readme.indexOf('## Project layout') + 1))
    for (const path of LARGE_DATA_TABLES) {
      const s = sources.find((x) => x.path === path)
      expect(s, `${path} is allow-listed but does not exist`).toBeDefined()
      let fns = 0
      visit(s!.file, (n) => {
        if (ts.isFunctionDeclaration(n) || ts.isArrowFunction(n) || ts.isFunctionExpression(n) || ts.isMethodDeclaration(n)) fns++
      })
      expect(fns, `${path} is allow-listed as a data table but holds code`).toBeLessThanOrEqual(2)
      expect(layout, `README "Project layout" does not name ${path}`).toContain(path)
    }
  })

  it('no SQL text outside files named repository.ts (src/store/ excepted)', () => {
    const SQL = /\b(SELECT\s+[\w*(]|INSERT INTO|UPDATE\s+\w+\s+SET|DELETE FROM|CREATE (UNIQUE )?(TABLE|INDEX)|ALTER TABLE|TRUNCATE\s+\w|SET LOCAL|ON CONFLICT)/
    const offenders = sources
      .filter((s) => !under(s.path, 'src/store') && !s.path.endsWith('/repository.ts'))
      .flatMap((s) =>
        literals(s)
          .filter((l) => SQL.test(l.text))
          .map((l) => `${s.path}:${l.line}: ${l.text.replace(/\s+/g, ' ').slice(0, 70)}`),
      )
    expect(report('SQL outside repository.ts', offenders)).toBe('')
  })

  it('product code imports nothing from src/sandbox (except src/server.ts, for the all/sandbox roles)', () => {
    const offenders = sources
      .filter((s) => !under(s.path, 'src/sandbox') && s.path !== 'src/server.ts')
      .flatMap((s) =>
        imports(s)
          .filter((i) => under(i.target, 'src/sandbox'))
          .map((i) => `${s.path}:${i.line} imports ${i.specifier}`),
      )
    expect(report('product → sandbox imports', offenders)).toBe('')
  })

  it('src/sandbox imports nothing from the rest of src/ (simulators are written from the formats)', () => {
    const offenders = sources
      .filter((s) => under(s.path, 'src/sandbox'))
      // A type-only import of the Logger interface carries no logic that could be shared by mistake.
      .flatMap((s) =>
        imports(s)
          .filter((i) => under(i.target, 'src') && !under(i.target, 'src/sandbox') && !(i.typeOnly && i.target === 'src/log'))
          .map((i) => `${s.path}:${i.line} imports ${i.specifier}${i.typeOnly ? ' (type only)' : ''}`),
      )
    expect(report('sandbox → product imports', offenders)).toBe('')
  })

  it('mappings import nothing with I/O (network, files, processes, database, queues, connectors, services, config loading)', () => {
    const IO_PACKAGES =
      /^(node:)?(fs|fs\/promises|net|tls|dgram|http|https|http2|child_process|worker_threads|cluster)$|^(axios|pg|ioredis|bullmq|soap|undici|@electric-sql\/pglite)(\/|$)/
    const IO_FOLDERS = [
      'src/store',
      'src/connectors',
      'src/services',
      'src/http',
      'src/config/load',
      'src/config/maps',
      'src/queue',
      'src/sandbox',
      'src/outbound-auth',
      'src/documents',
      'src/audit',
    ]
    const offenders = sources
      .filter((s) => under(s.path, 'src/mappings'))
      .flatMap((s) =>
        imports(s)
          .filter((i) => IO_PACKAGES.test(i.specifier) || IO_FOLDERS.some((f) => under(i.target, f)))
          .map((i) => `${s.path}:${i.line} imports ${i.specifier}${i.typeOnly ? ' (type only)' : ''}`),
      )
    expect(report('mappings with I/O imports', offenders)).toBe('')
  })

  it("every 'HUB_…' literal in src/ is a key of ERRORS or an entry of RULES (src/errors.ts)", () => {
    const known = new Set<string>([...Object.keys(ERRORS), ...RULES])
    const offenders = sources.flatMap((s) =>
      literals(s)
        .filter((l) => /^HUB_[A-Z0-9_]*[A-Z0-9]$/.test(l.text) && !known.has(l.text))
        .map((l) => `${s.path}:${l.line}: '${l.text}'`),
    )
    expect(report('HUB_ codes missing from src/errors.ts', offenders)).toBe('')
  })
})
