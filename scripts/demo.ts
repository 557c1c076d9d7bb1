/**
 * First run: against a running `npm start`, submit a realistic batch of dossiers
 * (≥ 200, several events each) with a few injected portal faults, wait for their
 * delivery (progress printed, bounded), then print what reached the sandbox portal.
 * Works before and after a catalog sync (procedure codes come from the hub's catalog
 * when it has one), and switches the faults off again whatever happens.  npm run demo
 */
const HUB = process.env['HUB_URL'] ?? 'http://127.0.0.1:8080'
const SANDBOX = process.env['SANDBOX_URL'] ?? 'http://127.0.0.1:8090'
const KEY = process.env['HUB_API_KEY'] ?? 'dev-province-key'
const OPS_KEY = process.env['HUB_OPERATOR_KEY'] ?? 'dev-operator-key'
const N = Number(process.env['DEMO_DOSSIERS'] ?? 250)
const TIMEOUT_S = Number(process.env['DEMO_TIMEOUT_S'] ?? 240)
const run = Date.now().toString(36).slice(-5)

/**
 * What the demo files, as catalog searches (the best match is taken once a catalog is
 * synced), each with a procedure of the sandbox's seeded catalog (SANDBOX_SEED 42) for a
 * hub that has synced none yet (then any code is accepted).
 */
const WANTED: { q: string; code: string; name: string }[] = [
  { q: 'dang ky thanh lap ho kinh doanh', code: '1.000008', name: 'Đăng ký thành lập hộ kinh doanh (cấp huyện)' },
  { q: 'dang ky khai sinh', code: '1.000137', name: 'Đăng ký khai sinh' },
  { q: 'cap giay phep xay dung', code: '1.000229', name: 'Cấp giấy phép xây dựng theo giai đoạn' },
  { q: 'ly lich tu phap', code: '1.000105', name: 'Cấp Phiếu lý lịch tư pháp cho cơ quan nhà nước, cơ quan tiến hành tố tụng đối với cá nhân' },
  {
    q: 'giay chung nhan quyen su dung dat',
    code: '1.000314',
    name: 'Đăng ký đất đai, tài sản gắn liền với đất, cấp Giấy chứng nhận quyền sử dụng đất lần đầu',
  },
]
const FAMILY = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Vũ', 'Đặng', 'Bùi']
const GIVEN = ['An', 'Bình', 'Chi', 'Dũng', 'Hà', 'Khánh', 'Lan', 'Minh', 'Nam', 'Thảo']
const STEPS: [string | undefined, string][] = [
  ['DANG_XU_LY', 'Chuyển hồ sơ đến phòng chuyên môn'],
  [undefined, 'Thẩm định hồ sơ'],
  [undefined, 'Trình lãnh đạo phê duyệt'],
  ['DA_XU_LY_XONG', 'Lãnh đạo ký duyệt kết quả'],
  ['DA_TRA_KET_QUA', 'Trả kết quả cho công dân'],
]

const pad = (n: number, w: number) => String(n).padStart(w, '0')
const code = (i: number) => `000.00.06.H56-${new Date().toISOString().slice(2, 10).replace(/-/g, '')}-${pad((Number.parseInt(run, 36) % 5000) + i, 4)}`
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function call(method: string, url: string, body?: unknown, key = KEY) {
  // A well-behaved client: a 429, or a 503 the hub sends when it is overloaded, comes with Retry-After and
  // was not processed; wait as told (at most 5 s a time) and send the same request again (eventIds make it idempotent).
  let res: Response
  for (let attempt = 1; ; attempt++) {
    res = await fetch(url, {
      method,
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    })
    const wait = Number(res.headers.get('retry-after'))
    if (!((res.status === 429 || res.status === 503) && wait > 0 && attempt < 10)) break
    await res.arrayBuffer()
    await sleep(Math.min(wait, 5) * 1000)
  }
  const text = await res.text()
  let parsed: Record<string, unknown> = {}
  try {
    parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {}
  } catch {
    parsed = { text: text.slice(0, 200) }
  }
  return { status: res.status, body: parsed }
}

/** The procedures to file: the catalog's best match for each wanted one once a catalog is synced, else the sandbox's codes. */
async function procedures(): Promise<[string, string][]> {
  const out: [string, string][] = []
  for (const w of WANTED) {
    const r = await call('GET', `${HUB}/v1/catalog/procedures?limit=1&q=${encodeURIComponent(w.q)}`)
    if (r.status !== 200) throw new Error(`catalog search answered ${r.status}: ${JSON.stringify(r.body)}`)
    const first = (r.body['items'] as { code: string; name: string }[])[0]
    out.push(first ? [first.code, first.name] : [w.code, w.name])
  }
  const listed = await call('GET', `${HUB}/v1/catalog/procedures?limit=1`)
  const synced = Number(listed.body['total'] ?? 0) > 0
  console.log(synced ? `procedures from the hub's catalog: ${out.map(([c]) => c).join(', ')}` : 'no catalog synced yet: the sandbox catalog codes are used')
  return out
}

async function sandbox(method: string, path: string, body?: unknown) {
  const res = await fetch(`${SANDBOX}${path}`, {
    method,
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(10_000),
  })
  if (res.status >= 400) throw new Error(`sandbox ${method} ${path} answered ${res.status}`)
  return res
}

/** Switches off what the demo switched on at the sandbox portal (faults, the refusal). */
async function cleanUp(refused: string) {
  await sandbox('DELETE', '/_sandbox/faults').catch((e: Error) => console.error(`could not clear the sandbox faults: ${e.message}`))
  await sandbox('DELETE', `/dvcqg/_sandbox/rejections/${refused}`).catch((e: Error) => console.error(`could not clear the refusal: ${e.message}`))
}

async function deliveredCount(): Promise<number> {
  let delivered = 0
  const codes = Array.from({ length: N }, (_, d) => d).filter((d) => d !== 7)
  for (let k = 0; k < codes.length; k += 25) {
    const counts = await Promise.all(
      codes.slice(k, k + 25).map(async (d) => {
        const s = await call('GET', `${HUB}/v1/dossiers/${code(d)}/sync`)
        return ((s.body['events'] as { state: string }[]) ?? []).filter((e) => e.state === 'delivered').length
      }),
    )
    delivered += counts.reduce((a, b) => a + b, 0)
  }
  return delivered
}

async function submit(pcs: [string, string][]) {
  let accepted = 0
  let next = 0
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let i = next++; i < N; i = next++) {
        const [pcode, pname] = pcs[i % pcs.length]!
        const r = await call('POST', `${HUB}/v1/dossiers`, {
          eventId: `demo-${run}-${i}-0`,
          dossierCode: code(i),
          procedureCode: pcode,
          procedureName: pname.slice(0, 200),
          agencyCode: '000.00.06.H56',
          channel: i % 3 === 0 ? 'online' : 'in_person',
          applicant: {
            kind: 'citizen',
            name: `${FAMILY[i % FAMILY.length]} Văn ${GIVEN[i % GIVEN.length]}`,
            idType: 'cccd',
            idNumber: `0010${pad(80 + (i % 20), 2)}${pad(i, 6)}`,
            phone: `09${pad(i, 8)}`,
          },
          summary: `${pname.slice(0, 150)} - hồ sơ số ${i}`,
          receivedAt: new Date(Date.now() - 3_600_000).toISOString(),
          dueAt: new Date(Date.now() + 10 * 86_400_000).toISOString(),
          status: 'DA_TIEP_NHAN',
        })
        if (r.status !== 202) throw new Error(`intake refused dossier ${i} (${r.status}): ${JSON.stringify(r.body)}`)
        accepted++
        for (const [k, [status, action]] of STEPS.entries()) {
          const e = await call('POST', `${HUB}/v1/dossiers/${code(i)}/events`, {
            eventId: `demo-${run}-${i}-${k + 1}`,
            occurredAt: new Date().toISOString(),
            ...(status ? { status } : {}),
            step: { actor: 'Chuyên viên một cửa', department: 'Bộ phận tiếp nhận và trả kết quả', action },
          })
          if (e.status !== 202) throw new Error(`event refused (${e.status}): ${JSON.stringify(e.body)}`)
          accepted++
        }
      }
    }),
  )
  return accepted
}

async function main(refused: string) {
  const ready = await fetch(`${HUB}/health/ready`).catch(() => undefined)
  if (ready?.status !== 200) throw new Error(`the hub is not ready at ${HUB}: start it first with "npm start" (ready when ${HUB}/health/ready answers 200)`)
  const pcs = await procedures()
  console.log(`lgsp-hub demo: ${N} dossiers × ${STEPS.length + 1} events, with portal faults injected`)
  // Faults: 10% of portal calls answer 503, 3% 429 with Retry-After; one dossier is refused outright.
  await sandbox('PUT', '/_sandbox/faults/dvcqg/*', { errorRate: 0.1, rate429: 0.03, retryAfterSec: 1, latencyMs: 20 })
  await sandbox('PUT', `/dvcqg/_sandbox/rejections/${refused}`, { message: 'Mã TTHC không khớp với cơ quan tiếp nhận' })

  const t0 = Date.now()
  const accepted = await submit(pcs)
  console.log(`accepted ${accepted} events in ${((Date.now() - t0) / 1000).toFixed(1)} s; waiting for delivery (at most ${TIMEOUT_S} s) …`)

  const expected = (N - 1) * (STEPS.length + 1)
  let delivered = 0
  const until = Date.now() + TIMEOUT_S * 1000
  for (;;) {
    delivered = await deliveredCount()
    process.stdout.write(`\r  delivered ${delivered}/${expected} after ${((Date.now() - t0) / 1000).toFixed(0)} s`)
    if (delivered >= expected || Date.now() > until) break
    await sleep(1000)
  }
  process.stdout.write('\n')
  const parked = await call('GET', `${HUB}/admin/dossiers?state=parked`, undefined, OPS_KEY)
  const counts = (await (await sandbox('GET', '/_sandbox/counts')).json()) as Record<string, number>
  const state = (await (await sandbox('GET', '/_sandbox/state/dvcqg')).json()) as { dossiers: number; stats: Record<string, number> }
  const faults = Object.entries(counts).filter(([k]) => k.includes('#'))
  console.log(`
What reached the sandbox portal (DVCQG):
  dossiers known at the portal : ${state.dossiers}
  creates / updates / steps    : ${state.stats['creates']} / ${state.stats['updates']} / ${state.stats['progress']}
  injected faults survived     : ${faults.map(([k, v]) => `${k.replace('dvcqg/', '')} ×${v}`).join(', ') || 'none'}
  delivered events             : ${delivered} of ${expected} deliverable, in ${((Date.now() - t0) / 1000).toFixed(1)} s
  parked (dead letters)        : ${((parked.body['items'] as { dossierCode: string; parkedReason?: string }[]) ?? []).map((p) => `${p.dossierCode}: ${p.parkedReason}`).join('\n                                 ') || 'none'}

Next: open ${HUB}/console/ (sign in with ${OPS_KEY}), ${HUB}/admin/queues (user any, password ${OPS_KEY}), ${HUB}/docs, ${HUB}/metrics;
the portal refused ${refused} on purpose (the refusal is lifted now): replay it with
  curl -X POST -H 'x-api-key: ${OPS_KEY}' ${HUB}/admin/dossiers/${refused}/replay`)
  if (delivered < expected) throw new Error(`only ${delivered} of ${expected} events were delivered within ${TIMEOUT_S} s (DEMO_TIMEOUT_S)`)
}

const refused = code(7)
let cleaning: Promise<void> | undefined
const finish = () => (cleaning ??= cleanUp(refused))
// Ctrl-C: switch the faults off before leaving.
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    console.error(`\n${signal}: switching the sandbox faults off`)
    void finish().then(() => process.exit(130))
  })
main(refused)
  .then(
    () => finish(),
    async (e: unknown) => {
      console.error(`demo failed: ${(e as Error).message}`)
      await finish()
      process.exitCode = 1
    },
  )
  .finally(() => process.exit())
