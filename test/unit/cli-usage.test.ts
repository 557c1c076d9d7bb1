import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'

const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { encoding: 'utf8', timeout: 30_000 })

/** Issue 16: usage errors exit non-zero (64, EX_USAGE); asking for help does not. */
describe('lgsp-hub usage', () => {
  it('an unknown role prints the usage and exits 64; --help exits 0', () => {
    const unknown = cli('wrker')
    expect([unknown.status, unknown.stderr]).toEqual([64, expect.stringContaining('usage: lgsp-hub <role>')])
    const help = cli('--help')
    expect([help.status, help.stderr]).toEqual([0, expect.stringContaining('usage: lgsp-hub <role>')])
  })
})
