import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { LOOKUP_CONNECTORS } from '../../src/connectors/lookups.js'

/**
 * docs/adding-a-connector.md promises that a lookup connector touches at most six files
 * outside its own folders (issue 10, acceptance 2) and lists them. This keeps the list
 * true with the connectors that exist: each of them is referenced in every listed file,
 * and in no other file outside its own folders (src/connectors/<id>/, src/mappings/<id>/),
 * the sandbox (its simulator), tests, benchmarks and docs. A seventh place that names a
 * connector fails here; so does a listed file that no longer needs to.
 */
const GUIDE = readFileSync('docs/adding-a-connector.md', 'utf8')
const IDS = ['population', 'business-registry', 'tax', 'bhxh', 'civil-status']

/** Numbered items `N. \`path\`` of the guide's "Files outside your folders" section, in order. */
function listedFiles(): string[] {
  const section = GUIDE.split(/^## /m).find((s) => s.startsWith('Files outside your folders'))
  expect(section, 'the guide has a "Files outside your folders" section').toBeDefined()
  return [...section!.matchAll(/^\d+\. `([^`]+)`/gm)].map((m) => m[1]!)
}
/** The paths the guide says a connector always touches (before the "Only when" note). */
function alwaysListed(): string[] {
  const section = GUIDE.split(/^## /m).find((s) => s.startsWith('Files outside your folders'))!
  return [...section.split(/^Only when/m)[0]!.matchAll(/^\d+\. `([^`]+)`/gm)].map((m) => m[1]!)
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
const camel = (id: string) => id.replace(/-(\w)/g, (_, c: string) => c.toUpperCase())
/**
 * How code names a connector: its id as a string literal, a path segment or file name
 * (`/tax/`, `tax.md`), its variable prefix (`TAX_…`), its endpoints' grants as string
 * literals, and for multi-word ids their camel/Pascal forms (`businessRegistry…`).
 * Single words (`tax`) are not matched as bare words: prose and `taxCode` are not references.
 */
function referenceOf(id: string): RegExp {
  const def = LOOKUP_CONNECTORS.find((d) => d.id === id)!
  const forms = [
    `['"\`]${esc(id)}['"\`]`,
    `(?<![\\w-])${esc(id)}(?=/|\\.(?:md|ts|js)\\b)`,
    `/${esc(id)}(?=['"\`/.])`,
    `\\b${def.upstream.prefix}_[A-Z]`,
    ...def.endpoints.map((e) => `['"\`]${esc(e.service)}['"\`]`),
  ]
  if (id.includes('-')) {
    const c = camel(id)
    forms.push(`\\b${c}`, `\\b${c[0]!.toUpperCase()}${c.slice(1)}`)
  }
  return new RegExp(forms.join('|'))
}
/** Code comments are prose: a connector named in a comment is not a place to touch. */
function code(path: string, text: string): string {
  if (!/\.(c|m)?[jt]s$/.test(path)) return text
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:\\])\/\/.*$/gm, '$1')
}
const ownPlace = (id: string, path: string) =>
  path.startsWith(`src/connectors/${id}/`) ||
  path.startsWith(`src/mappings/${id}/`) ||
  path.startsWith('src/sandbox/') ||
  path.startsWith('test/') ||
  path.startsWith('bench/') ||
  path.startsWith('docs/') ||
  path === 'package-lock.json'

describe('docs/adding-a-connector.md stays true', () => {
  const files = listedFiles()

  it("lists at most six files outside the connector's own folders, all present for every connector", () => {
    expect(files.length).toBeGreaterThan(0)
    expect(files.length).toBeLessThanOrEqual(6)
    for (const f of files.filter((f) => !f.includes('<id>'))) expect(existsSync(f), f).toBe(true)
  })

  it('covers exactly the lookup connectors of src/connectors/lookups.ts', () => {
    expect(LOOKUP_CONNECTORS.map((d) => d.id).sort()).toEqual([...IDS].sort())
  })

  it('every connector is referenced in each file the guide says it always touches', () => {
    for (const id of IDS) {
      for (const pattern of alwaysListed()) {
        const path = pattern.replace('<id>', id)
        expect(existsSync(path), `${path} (listed as ${pattern})`).toBe(true)
        // A per-connector file (`…/<id>.ts`) names it by its path; a shared one must name it inside.
        if (!pattern.includes('<id>')) expect(referenceOf(id).test(code(path, readFileSync(path, 'utf8'))), `${path} does not name ${id}`).toBe(true)
      }
    }
  })

  it('no connector is named in any other file outside its own folders, the sandbox, tests and docs', () => {
    const tracked = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { encoding: 'utf8' }).split('\n').filter(Boolean)
    const text = new Map<string, string>()
    const read = (p: string) => {
      if (!text.has(p)) text.set(p, existsSync(p) ? code(p, readFileSync(p, 'utf8')) : '')
      return text.get(p)!
    }
    const strays: string[] = []
    for (const id of IDS) {
      const listed = new Set(files.map((f) => f.replace('<id>', id)))
      const ref = referenceOf(id)
      for (const path of tracked) {
        if (ownPlace(id, path) || listed.has(path) || !/\.(ts|mts|js|mjs|json|md|yml|yaml|sql)$|^Dockerfile$/.test(path)) continue
        if (ref.test(read(path))) strays.push(`${id}: ${path}`)
      }
    }
    expect(strays, 'connector named outside the places docs/adding-a-connector.md lists').toEqual([])
  })

  it('the reference check finds what it should (sanity)', () => {
    expect(referenceOf('tax').test("lookupUpstream(ctx, name, 'TAX')")).toBe(false)
    expect(referenceOf('tax').test('ctx.config.TAX_BASE_URL')).toBe(true)
    expect(referenceOf('tax').test("import { taxLookup } from './tax/lookup.js'")).toBe(true)
    expect(referenceOf('tax').test('validateMst(params.taxCode) // the tax code')).toBe(false)
    expect(referenceOf('business-registry').test('new BusinessRegistrySimulator(seed)')).toBe(true)
    expect(referenceOf('population').test("access: 'citizens'")).toBe(true)
    expect(code('a.ts', "const u = 'http://x/tax' // 'tax'")).toContain("'http://x/tax'")
  })
})
