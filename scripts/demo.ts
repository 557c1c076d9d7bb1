/**
 * First run: against a running `npm start`, submit a realistic batch of dossiers
 * (≥ 200, several events each) with a few injected portal faults, then print what
 * reached the sandbox portal.  npm run demo
 */
const HUB = process.env['HUB_URL'] ?? 'http://127.0.0.1:8080'
const SANDBOX = process.env['SANDBOX_URL'] ?? 'http://127.0.0.1:8090'
const KEY = process.env['HUB_API_KEY'] ?? 'dev-province-key'
const OPS_KEY = process.env['HUB_OPERATOR_KEY'] ?? 'dev-operator-key'
const N = Number(process.env['DEMO_DOSSIERS'] ?? 250)
const run = Date.now().toString(36).slice(-5)

const PROCEDURES = [
  ['1.001234', 'Cấp giấy phép xây dựng nhà ở riêng lẻ'],
  ['1.000656', 'Đăng ký khai sinh'],
  ['2.000528', 'Đăng ký thành lập hộ kinh doanh'],
  ['1.004227', 'Cấp Giấy chứng nhận quyền sử dụng đất lần đầu'],
  ['1.001612', 'Cấp phiếu lý lịch tư pháp'],
] as const
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

async function call(method: string, url: string, body?: unknown, key = KEY) {
  const res = await fetch(url, { method, headers: { 'content-type': 'application/json', 'x-api-key': key }, body: body === undefined ? undefined : JSON.stringify(body) })
  const text = await res.text()
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} }
}

async function main() {
  const ready = await fetch(`${HUB}/health/ready`).catch(() => undefined)
  if (ready?.status !== 200) throw new Error(`the hub is not ready at ${HUB}: start it first with "npm start"`)
  console.log(`lgsp-hub demo: ${N} dossiers × ${STEPS.length + 1} events, with portal faults injected`)
  // Faults: 10% of portal calls answer 503, 3% 429 with Retry-After; one dossier is refused outright.
  await fetch(`${SANDBOX}/_sandbox/faults/dvcqg/*`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ errorRate: 0.1, rate429: 0.03, retryAfterSec: 1, latencyMs: 20 }) })
  const refused = code(7)
  await fetch(`${SANDBOX}/dvcqg/_sandbox/rejections/${refused}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: 'Mã TTHC không khớp với cơ quan tiếp nhận' }) })

  const t0 = Date.now()
  let accepted = 0
  let next = 0
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let i = next++; i < N; i = next++) {
        const [pcode, pname] = PROCEDURES[i % PROCEDURES.length]!
        const r = await call('POST', `${HUB}/v1/dossiers`, {
          eventId: `demo-${run}-${i}-0`,
          dossierCode: code(i),
          procedureCode: pcode,
          procedureName: pname,
          agencyCode: '000.00.06.H56',
          channel: i % 3 === 0 ? 'online' : 'in_person',
          applicant: { kind: 'citizen', name: `${FAMILY[i % FAMILY.length]} Văn ${GIVEN[i % GIVEN.length]}`, idType: 'cccd', idNumber: `0010${pad(80 + (i % 20), 2)}${pad(i, 6)}`, phone: `09${pad(i, 8)}` },
          summary: `${pname} - hồ sơ số ${i}`,
          receivedAt: new Date(Date.now() - 3_600_000).toISOString(),
          dueAt: new Date(Date.now() + 10 * 86_400_000).toISOString(),
          status: 'DA_TIEP_NHAN',
        })
        if (r.status !== 202) throw new Error(`intake refused dossier ${i}: ${JSON.stringify(r.body)}`)
        accepted++
        for (const [k, [status, action]] of STEPS.entries()) {
          const e = await call('POST', `${HUB}/v1/dossiers/${code(i)}/events`, {
            eventId: `demo-${run}-${i}-${k + 1}`,
            occurredAt: new Date().toISOString(),
            ...(status ? { status } : {}),
            step: { actor: 'Chuyên viên một cửa', department: 'Bộ phận tiếp nhận và trả kết quả', action },
          })
          if (e.status !== 202) throw new Error(`event refused: ${JSON.stringify(e.body)}`)
          accepted++
        }
      }
    }),
  )
  const intakeS = (Date.now() - t0) / 1000
  console.log(`accepted ${accepted} events in ${intakeS.toFixed(1)} s; waiting for delivery …`)

  const expected = (N - 1) * (STEPS.length + 1)
  let delivered = 0
  for (let i = 0; i < 240; i++) {
    delivered = 0
    for (let d = 0; d < N; d++) {
      if (d === 7) continue
      const s = await call('GET', `${HUB}/v1/dossiers/${code(d)}/sync`)
      delivered += ((s.body['events'] as { state: string }[]) ?? []).filter((e) => e.state === 'delivered').length
    }
    process.stdout.write(`\r  delivered ${delivered}/${expected}`)
    if (delivered >= expected) break
    await new Promise((r) => setTimeout(r, 1000))
  }
  process.stdout.write('\n')
  const parked = await call('GET', `${HUB}/admin/dossiers?state=parked`, undefined, OPS_KEY)
  const counts = (await (await fetch(`${SANDBOX}/_sandbox/counts`)).json()) as Record<string, number>
  const state = (await (await fetch(`${SANDBOX}/_sandbox/state/dvcqg`)).json()) as { dossiers: number; stats: Record<string, number> }
  await fetch(`${SANDBOX}/_sandbox/faults`, { method: 'DELETE' })
  const faults = Object.entries(counts).filter(([k]) => k.includes('#'))
  console.log(`
What reached the sandbox portal (DVCQG):
  dossiers known at the portal : ${state.dossiers}
  creates / updates / steps    : ${state.stats['creates']} / ${state.stats['updates']} / ${state.stats['progress']}
  injected faults survived     : ${faults.map(([k, v]) => `${k.replace('dvcqg/', '')} ×${v}`).join(', ') || 'none'}
  delivered events             : ${delivered} of ${expected} deliverable, in ${((Date.now() - t0) / 1000).toFixed(1)} s
  parked (dead letters)        : ${((parked.body['items'] as { dossierCode: string; parkedReason?: string }[]) ?? []).map((p) => `${p.dossierCode}: ${p.parkedReason}`).join('\n                                 ') || 'none'}

Next: open ${HUB}/admin/queues (user any, password ${OPS_KEY}), ${HUB}/docs, ${HUB}/metrics;
fix the refused dossier at the portal (curl -X DELETE ${SANDBOX}/dvcqg/_sandbox/rejections/${refused})
and replay it: curl -X POST -H 'x-api-key: ${OPS_KEY}' ${HUB}/admin/dossiers/${refused}/replay`)
}

main().catch((e) => {
  console.error(`demo failed: ${(e as Error).message}`)
  process.exit(1)
})
