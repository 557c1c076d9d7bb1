// Builds the operator console (console/src, issue 15) into static files the hub serves at /console/:
// one JS bundle (with uPlot) and one CSS file (with uPlot's), content-hashed, and index.html naming them.
// No source maps (they would carry this machine's paths), no inline script (the page's CSP forbids it).
import { build } from 'esbuild'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { basename, dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')

/**
 * Bundles the console into `outDir` (default dist/console), replacing what was there.
 * Returns the folder and the names of the files written.
 * @param {{ outDir?: string, minify?: boolean }} [opts]
 * @returns {Promise<{ outDir: string, files: string[] }>}
 */
export async function buildConsole(opts = {}) {
  const outDir = resolve(opts.outDir ?? join(ROOT, 'dist', 'console'))
  rmSync(outDir, { recursive: true, force: true })
  mkdirSync(outDir, { recursive: true })
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: { app: 'console/src/main.ts', styles: 'console/src/styles.css' },
    bundle: true,
    format: 'esm',
    target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
    platform: 'browser',
    outdir: outDir,
    entryNames: '[name]-[hash]',
    assetNames: '[name]-[hash]',
    minify: opts.minify ?? true,
    sourcemap: false,
    legalComments: 'none',
    metafile: true,
    logLevel: 'silent',
  })
  const outputs = Object.keys(result.metafile.outputs).map((f) => basename(f))
  const js = outputs.find((f) => /^app-.*\.js$/.test(f))
  const css = outputs.find((f) => /^styles-.*\.css$/.test(f))
  if (!js || !css) throw new Error(`console build: missing bundle (${outputs.join(', ')})`)
  const html = readFileSync(join(ROOT, 'console', 'index.html'), 'utf8')
    .replace('%APP_JS%', js)
    .replace('%STYLES_CSS%', css)
  writeFileSync(join(outDir, 'index.html'), html)
  return { outDir, files: ['index.html', ...outputs] }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const out = process.argv[2]
  const { outDir, files } = await buildConsole(out ? { outDir: out } : {})
  console.log(`console built into ${relative(process.cwd(), outDir) || '.'}: ${files.join(', ')}`)
}
