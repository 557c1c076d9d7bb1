// Regenerates the configuration table of README.md (between the config markers) from
// the configuration schema, so the documentation cannot drift from the code.
import { readFileSync, writeFileSync } from 'node:fs'
import { configReference } from '../src/config/load.js'

export function configTable(): string {
  const rows = configReference().map((c) => {
    const def = c.default === undefined || c.default === '' ? '(unset)' : `\`${String(c.default)}\``
    return `| \`${c.name}\` | ${def} | ${c.description.replace(/\|/g, '\\|')} |`
  })
  return ['| variable | default | meaning |', '| --- | --- | --- |', ...rows].join('\n')
}

const START = '<!-- config:start -->'
const END = '<!-- config:end -->'
const readme = readFileSync('README.md', 'utf8')
const a = readme.indexOf(START)
const b = readme.indexOf(END)
if (a < 0 || b < a) throw new Error('README.md has no config markers')
writeFileSync('README.md', `${readme.slice(0, a + START.length)}\n${configTable()}\n${readme.slice(b)}`)
console.log('README.md configuration table updated')
