// Copies non-TypeScript assets the compiled hub reads at run time (SQL migrations, WSDLs).
import { cpSync, existsSync, readdirSync } from 'node:fs'

const assets = [
  ['src/store/migrations', 'dist/src/store/migrations'],
  // Every connector's WSDL folder (SOAP connectors keep theirs in src/connectors/<id>/wsdl).
  ...readdirSync('src/connectors', { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(`src/connectors/${d.name}/wsdl`))
    .map((d) => [`src/connectors/${d.name}/wsdl`, `dist/src/connectors/${d.name}/wsdl`]),
]
for (const [from, to] of assets) if (existsSync(from)) cpSync(from, to, { recursive: true })
// JSON schemas of the national payloads (read by the sandbox's strict validation).
cpSync('schemas', 'dist/schemas', { recursive: true, filter: (f) => !f.endsWith('.ts') })
