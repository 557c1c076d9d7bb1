import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { isEdxmlError } from './errors.js'
import { describeSignature } from './model.js'
import { parseEdxml } from './parse.js'

const USAGE = `usage: lgsp-hub edxml parse <file>
  Parses an edXML (VDXP, QCVN 102:2016) message and prints its model as JSON
  (attachments as name, content type, decoded size and SHA-256), or the reason it is
  refused (exit code 65).`

export interface CliIo {
  stdout: (s: string) => void
  stderr: (s: string) => void
}

const defaultIo: CliIo = { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) }

/** `lgsp-hub edxml …`: returns the exit code (0 ok, 64 usage, 65 refused message, 66 unreadable file). */
export async function runEdxmlCli(argv: string[], io: CliIo = defaultIo): Promise<number> {
  const [sub, file, ...rest] = argv
  if (sub !== 'parse' || !file || rest.length > 0) {
    io.stderr(`${USAGE}\n`)
    return sub === '--help' || sub === '-h' ? 0 : 64
  }
  try {
    if (!(await stat(file)).isFile()) throw new Error('not a file')
  } catch (e) {
    io.stderr(`edxml: cannot read ${file}: ${(e as Error).message}\n`)
    return 66
  }
  try {
    const parsed = await parseEdxml(createReadStream(file))
    const out = {
      ...parsed.message,
      signature: { ...parsed.signature, text: describeSignature(parsed.signature) },
      quirks: parsed.quirks,
      bytes: parsed.bytes,
    }
    io.stdout(`${JSON.stringify(out, null, 2)}\n`)
    return 0
  } catch (e) {
    if (!isEdxmlError(e)) throw e
    io.stderr(`${JSON.stringify({ error: e.code, element: e.element, message: e.message }, null, 2)}\n`)
    return 65
  }
}
