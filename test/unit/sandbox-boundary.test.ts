import { readFileSync, readdirSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

/**
 * The sandbox boundary (ARCHITECTURE.md "Layout", issue 10): simulators depend on
 * nothing in src/ but the sandbox itself (an independent reading of the national
 * formats), and no product file imports the sandbox except src/server.ts, which
 * starts it for the `all` and `sandbox` roles.
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const src = join(root, 'src')
const SANDBOX = join(src, 'sandbox')
const ALLOWED_PRODUCT_IMPORTER = join(src, 'server.ts')

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  )
}

/** Relative module specifiers of static imports/exports, `import type`, dynamic `import()` and `require()`. */
function specifiers(code: string): string[] {
  const out: string[] = []
  const patterns = [
    /\b(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ]
  for (const re of patterns) for (const m of code.matchAll(re)) out.push(m[1]!)
  return out.filter((s) => s.startsWith('.'))
}

const inside = (file: string, dir: string) => file === dir || file.startsWith(dir + sep)

/** Every boundary crossing in `files` (absolute paths under src/). */
function crossings(files: { path: string; code: string }[]): string[] {
  const problems: string[] = []
  for (const f of files) {
    for (const spec of specifiers(f.code)) {
      const target = resolve(dirname(f.path), spec)
      const where = `${relative(root, f.path)} imports ${spec}`
      if (inside(f.path, SANDBOX)) {
        if (inside(target, src) && !inside(target, SANDBOX)) problems.push(`${where}: the sandbox must not depend on product code`)
      } else if (inside(target, SANDBOX) && f.path !== ALLOWED_PRODUCT_IMPORTER) {
        problems.push(`${where}: only src/server.ts may start the sandbox`)
      }
    }
  }
  return problems
}

describe('sandbox boundary', () => {
  it('src/sandbox imports nothing from the rest of src/, and only src/server.ts imports src/sandbox', () => {
    const files = tsFiles(src).map((path) => ({ path, code: readFileSync(path, 'utf8') }))
    expect(files.length).toBeGreaterThan(50)
    expect(crossings(files)).toEqual([])
  })

  it('the check sees every kind of import (it would fail on a crossing)', () => {
    const sb = join(SANDBOX, 'lookups', 'x.ts')
    const product = join(src, 'services', 'x.ts')
    const found = crossings([
      { path: sb, code: "import { a } from '../../mappings/population/codes.js'\nimport type { B } from '../framework.js'" },
      { path: join(SANDBOX, 'y.ts'), code: "export { c } from '../log.js'\nconst d = await import('../config/load.js')" },
      { path: product, code: "import type { Seed } from '../sandbox/lookups/data.js'\nimport { x } from './y.js'" },
      { path: join(src, 'hub.ts'), code: "import {\n  createSandbox,\n} from './sandbox/index.js'" },
      { path: ALLOWED_PRODUCT_IMPORTER, code: "import { createSandbox } from './sandbox/index.js'" },
    ])
    expect(found).toHaveLength(5)
    expect(found.filter((p) => p.includes('must not depend'))).toHaveLength(3)
  })
})
