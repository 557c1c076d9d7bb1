import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { configReference } from '../../src/config/load.js'

describe('README stays true', () => {
  const readme = readFileSync('README.md', 'utf8')
  it('documents every configuration variable with its default (npm run config:doc)', () => {
    for (const c of configReference()) {
      const row = readme.split('\n').find((l) => l.startsWith(`| \`${c.name}\` |`))
      expect(row, `README lacks ${c.name}`).toBeDefined()
      if (c.default !== undefined && c.default !== '') expect(row).toContain(`\`${String(c.default)}\``)
    }
  })
  it('shows the two set-up commands', () => {
    expect(readme).toContain('npm ci && npm start')
    expect(readme).toContain('npm test')
  })
  it('explains every runtime dependency', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies: Record<string, string> }
    for (const dep of Object.keys(pkg.dependencies)) expect(readme, `README does not say why ${dep}`).toContain(dep)
  })
})
