/**
 * Bench (issue 12, acceptance 5): document exchange throughput through the sandbox axis with
 * 300 KB attachments, and the hub's peak memory.
 *
 * - baseline: the axis alone, the same edXML posted straight to the sandbox's sendEdoc;
 * - send: documents POSTed to /v1/documents (8 clients) until every one is delivered to the axis
 *   (stored, built into edXML, outbox, send worker);
 * - receive: one poller run for agency B (list, get, streaming parse into the blob store, store,
 *   acknowledge, the 01 status queued) until every document is taken.
 * Loopback only, one process (hub + sandbox + PostgreSQL client). Results: bench/results/documents.{json,md}.
 *
 *   npm run bench:documents            (BENCH_DOCUMENTS=200 by default)
 */
import { randomBytes } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { cpus, loadavg } from 'node:os'
import { buildApp } from '../src/app.js'
import { createHub } from '../src/hub.js'
import { createLogger } from '../src/log.js'
import { createSandbox } from '../src/sandbox/index.js'
import { KEYS, testConfig } from '../test/helpers/config.js'
import { createTestDatabase } from '../test/helpers/pg.js'

const DOCS = Number(process.env['BENCH_DOCUMENTS'] ?? 200)
const ATTACHMENT_BYTES = 300 * 1024
const CLIENTS = 8
const A = '000.00.00.H56'
const B = '000.01.00.H56'
const RESULTS = new URL('./results/', import.meta.url)

let peakRss = 0
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50)

async function main() {
  const load = loadavg()[0]!
  const sandbox = await createSandbox(5, createLogger('silent'))
  await sandbox.app.listen({ host: '127.0.0.1', port: 0 })
  const vdxpUrl = `http://127.0.0.1:${(sandbox.app.server.address() as AddressInfo).port}/vdxp`
  const db = await createTestDatabase()
  // Only A is polled by the workers: B's receive path is run and timed by hand below.
  const config = testConfig({
    DATABASE_URL: db.url,
    DATABASE_POOL_SIZE: 20,
    CONNECTORS_ENABLED: 'vdxp',
    VDXP_BASE_URL: vdxpUrl,
    VDXP_AGENCIES: A,
    VDXP_POLL_MS: 60_000,
    UPSTREAM_TIMEOUT_MS: 30_000,
  })
  const hub = await createHub(config, 'all', { logger: createLogger('warn') })
  const app = await buildApp(hub)
  await app.listen({ host: '127.0.0.1', port: 0 })
  const api = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  await hub.startWorkers()
  const documents = hub.services.documents
  await documents.syncAgencies()
  const body = (i: number, file: Buffer) =>
    JSON.stringify({
      idempotencyKey: `bench-${i}`,
      from: A,
      to: [B],
      codeNumber: String(i + 1),
      codeNotation: 'UBND-VP',
      documentType: { type: '1', typeName: 'Công văn' },
      subject: `Văn bản ${i + 1}`,
      attachments: [{ name: `tep-${i + 1}.pdf`, contentType: 'application/pdf', contentBase64: file.toString('base64') }],
    })
  const files = Array.from({ length: Math.min(DOCS, 16) }, () => randomBytes(ATTACHMENT_BYTES))

  // Baseline: the axis alone, one pre-built message posted DOCS times (same concurrency).
  const sample = (await (
    await fetch(`${api}/v1/documents`, {
      method: 'POST',
      headers: { 'x-api-key': KEYS.province, 'content-type': 'application/json' },
      body: body(-1, files[0]!),
    })
  ).json()) as { id: string }
  await waitUntil(async () => (await documents.get(sample.id, { id: 'bench', services: new Set(['*']), agencies: new Set(['*']) })).state === 'sent', 60_000)
  const { rows } = await hub.db.query<{ edxml_sha256: string }>(`SELECT edxml_sha256 FROM document_outbox WHERE document_id = $1`, [sample.id])
  const edxml = Buffer.concat(await documents.blobs.get(rows[0]!.edxml_sha256).toArray())
  const token = (await (
    await fetch(`${vdxpUrl}/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'sandbox', client_secret: 'sandbox' }),
    })
  ).json()) as { access_token: string }
  let next = 0
  const t0 = performance.now()
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      for (let i = next++; i < DOCS; i = next++) {
        const form = new FormData()
        form.append('file', new Blob([new Uint8Array(edxml)]), 'edoc.edxml')
        const res = await fetch(`${vdxpUrl}/sendEdoc`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token.access_token}`, 'x-systemid': 'sandbox-h56', 'x-secretkey': 'sandbox-h56-secret' },
          body: form,
        })
        const r = (await res.json()) as { errorCode: number }
        if (r.errorCode !== 0) throw new Error(`baseline sendEdoc: ${JSON.stringify(r)}`)
      }
    }),
  )
  const baselineMs = performance.now() - t0
  // Those baseline messages are B's too: take them out of its list so the receive run counts the hub's documents only.
  await documents.receiver.poll(B)

  // Send through the hub.
  const rssBeforeSend = process.memoryUsage().rss
  peakRss = rssBeforeSend
  next = 0
  const t1 = performance.now()
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      for (let i = next++; i < DOCS; i = next++) {
        const res = await fetch(`${api}/v1/documents`, {
          method: 'POST',
          headers: { 'x-api-key': KEYS.province, 'content-type': 'application/json' },
          body: body(i, files[i % files.length]!),
        })
        if (res.status !== 202) throw new Error(`send answered ${res.status}: ${await res.text()}`)
      }
    }),
  )
  const acceptedMs = performance.now() - t1
  const count = async (sql: string) => (await hub.db.query<{ n: number }>(sql)).rows[0]!.n
  await waitUntil(
    async () =>
      (await count(`SELECT count(*)::int AS n FROM documents WHERE direction = 'out' AND state = 'sent' AND idempotency_key LIKE 'bench-%'`)) >= DOCS + 1,
    600_000,
  )
  const sendMs = performance.now() - t1
  const sendPeak = peakRss

  // Receive as B.
  peakRss = process.memoryUsage().rss
  const t2 = performance.now()
  const before = await count(`SELECT count(*)::int AS n FROM documents WHERE direction = 'in'`)
  while ((await count(`SELECT count(*)::int AS n FROM documents WHERE direction = 'in'`)) - before < DOCS) await documents.receiver.poll(B)
  const receiveMs = performance.now() - t2
  const receivePeak = peakRss

  const r = (n: number) => Math.round(n * 10) / 10
  const report = {
    at: new Date().toISOString(),
    documents: DOCS,
    attachmentBytes: ATTACHMENT_BYTES,
    clients: CLIENTS,
    machine: { cpus: cpus().length, loadAverage1m: r(load) },
    baseline: { what: 'the same edXML posted straight to the sandbox axis (sendEdoc)', ms: Math.round(baselineMs), docsPerSec: r((DOCS / baselineMs) * 1000) },
    send: {
      acceptedMs: Math.round(acceptedMs),
      allDeliveredMs: Math.round(sendMs),
      docsPerSec: r((DOCS / sendMs) * 1000),
      peakRssMb: Math.round(sendPeak / 1048576),
    },
    receive: { ms: Math.round(receiveMs), docsPerSec: r((DOCS / receiveMs) * 1000), peakRssMb: Math.round(receivePeak / 1048576) },
  }
  console.log(JSON.stringify(report, null, 1))
  mkdirSync(RESULTS, { recursive: true })
  writeFileSync(new URL('documents.json', RESULTS), JSON.stringify(report, null, 2) + '\n')
  writeFileSync(
    new URL('documents.md', RESULTS),
    [
      `# Document exchange bench (${report.at})`,
      '',
      `${DOCS} documents with one ${ATTACHMENT_BYTES / 1024} KB attachment each, A → B through the sandbox axis on loopback, ${CLIENTS} concurrent clients; ${report.machine.cpus} CPUs, 1-minute load average ${report.machine.loadAverage1m} at start.`,
      '',
      '| path | time | documents/s | peak RSS |',
      '| --- | --- | --- | --- |',
      `| baseline: the axis alone (pre-built edXML to sendEdoc) | ${(baselineMs / 1000).toFixed(1)} s | ${report.baseline.docsPerSec} | |`,
      `| send: POST /v1/documents → delivered to the axis | ${(sendMs / 1000).toFixed(1)} s (202s in ${(acceptedMs / 1000).toFixed(1)} s) | ${report.send.docsPerSec} | ${report.send.peakRssMb} MB |`,
      `| receive: B's poller (list, get, parse, store, ack, 01 queued) | ${(receiveMs / 1000).toFixed(1)} s | ${report.receive.docsPerSec} | ${report.receive.peakRssMb} MB |`,
      '',
    ].join('\n'),
  )
  await app.close()
  await hub.close()
  await sandbox.app.close()
  await db.drop()
}

async function waitUntil(fn: () => Promise<boolean>, ms: number) {
  const until = Date.now() + ms
  while (!(await fn())) {
    if (Date.now() > until) throw new Error('bench: timed out')
    await new Promise((r) => setTimeout(r, 100))
  }
}

main()
  .then(() => {
    clearInterval(sampler)
    process.exit(0)
  })
  .catch((e: unknown) => {
    console.error(e)
    process.exit(1)
  })
