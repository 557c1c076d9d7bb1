// Copies non-TypeScript assets the compiled hub reads at run time (SQL migrations, WSDLs).
import { cpSync, existsSync } from 'node:fs'

const assets = [
  ['src/store/migrations', 'dist/src/store/migrations'],
  ['src/connectors/population/wsdl', 'dist/src/connectors/population/wsdl'],
  ['src/connectors/bhxh/wsdl', 'dist/src/connectors/bhxh/wsdl'],
]
for (const [from, to] of assets) if (existsSync(from)) cpSync(from, to, { recursive: true })
// JSON schemas of the national payloads (read by the sandbox's strict validation).
cpSync('schemas', 'dist/schemas', { recursive: true, filter: (f) => !f.endsWith('.ts') })
