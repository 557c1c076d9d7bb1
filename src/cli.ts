#!/usr/bin/env node
import type { Role } from './hub.js'

const ROLES: Role[] = ['api', 'worker', 'sandbox', 'all', 'migrate']
const USAGE = `usage: lgsp-hub <role>
  all       sandbox + api + worker in one process (first run, embedded defaults)
  api       the normalized REST API (needs DATABASE_URL)
  worker    queue workers: status sync, catalog sync, warehouse mirror (needs DATABASE_URL)
  sandbox   simulated national systems with fault injection
  migrate   apply database migrations and exit
  config    print every configuration variable with its default
  edxml parse <file>  print an edXML (VDXP) message as JSON, or why it is refused
  audit     verify the audit log, print inclusion proofs (lgsp-hub audit --help)
  import <folder>  backlog digitisation: import a folder of PDFs with a manifest (lgsp-hub import --help)`

async function main(argv: string[]): Promise<number> {
  const cmd = argv[0]
  // edxml first, before loading configuration or server modules (an operator tool, quick to start).
  if (cmd === 'edxml') return (await import('./edxml/cli.js')).runEdxmlCli(argv.slice(1))
  const { loadConfig, ConfigError, configReference } = await import('./config/load.js')
  if (cmd === 'config') {
    for (const c of configReference()) process.stdout.write(`${c.name}=${c.default ?? ''}\t# ${c.description}\n`)
    return 0
  }
  if (cmd === 'audit') {
    const { runAuditCommand } = await import('./audit/cli.js')
    try {
      return await runAuditCommand(argv.slice(1), loadConfig())
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e
      process.stderr.write(`${e.message.split('\n')[0]}\n`)
      return 78
    }
  }
  if (cmd === 'import') {
    const { runImportCommand } = await import('./services/digitisation/import/cli.js')
    try {
      return await runImportCommand(argv.slice(1), loadConfig())
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e
      process.stderr.write(`${e.message.split('\n')[0]}\n`)
      return 78
    }
  }
  if (!cmd || !ROLES.includes(cmd as Role)) {
    process.stderr.write(`${USAGE}\n`)
    return cmd === '--help' || cmd === '-h' ? 0 : 64
  }
  try {
    // Imported here so `config` does not load the server's modules.
    const { runRole } = await import('./server.js')
    await runRole(cmd as Role, loadConfig())
  } catch (e) {
    if (e instanceof ConfigError) {
      // One line naming the variable; exit 78 (EX_CONFIG). Boot-time checks in the
      // composition root (hub.ts, connectors, maps) throw the same error.
      process.stderr.write(`${e.message.split('\n')[0]}\n`)
      return 78
    }
    throw e
  }
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
