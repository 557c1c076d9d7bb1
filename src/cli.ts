#!/usr/bin/env node
import { loadConfig, ConfigError, configReference } from './config/load.js'
import { runRole } from './server.js'
import type { Role } from './hub.js'

const ROLES: Role[] = ['api', 'worker', 'sandbox', 'all', 'migrate']
const USAGE = `usage: lgsp-hub <role>
  all       sandbox + api + worker in one process (first run, embedded defaults)
  api       the normalized REST API (needs DATABASE_URL)
  worker    queue workers: status sync, catalog sync, warehouse mirror (needs DATABASE_URL)
  sandbox   simulated national systems with fault injection
  migrate   apply database migrations and exit
  config    print every configuration variable with its default`

async function main(argv: string[]): Promise<number> {
  const cmd = argv[0]
  if (cmd === 'config') {
    for (const c of configReference()) process.stdout.write(`${c.name}=${c.default ?? ''}\t# ${c.description}\n`)
    return 0
  }
  if (!cmd || !ROLES.includes(cmd as Role)) {
    process.stderr.write(`${USAGE}\n`)
    return cmd === '--help' || cmd === '-h' ? 0 : 64
  }
  let config
  try {
    config = loadConfig()
  } catch (e) {
    if (e instanceof ConfigError) {
      // One line naming the variable; exit 78 (EX_CONFIG).
      process.stderr.write(`${e.message}\n`)
      return 78
    }
    throw e
  }
  await runRole(cmd as Role, config)
  return 0
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0) process.exit(code)
  },
  (e: unknown) => {
    process.stderr.write(`lgsp-hub: ${(e as Error).message}\n`)
    process.exit(1)
  },
)
