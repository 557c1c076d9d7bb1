// Copies non-TypeScript assets the compiled hub reads at run time (SQL migrations, WSDLs).
import { cpSync, existsSync } from 'node:fs'

const assets = [
  ['src/store/migrations', 'dist/store/migrations'],
  ['src/connectors/population/wsdl', 'dist/connectors/population/wsdl'],
  ['src/connectors/bhxh/wsdl', 'dist/connectors/bhxh/wsdl'],
]
for (const [from, to] of assets) if (existsSync(from)) cpSync(from, to, { recursive: true })
