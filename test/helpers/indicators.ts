/** Issue 14 acceptance data: a generated month of dossiers with known properties, and the reference computed from the definitions (no hub code). */
import { fakeCccd } from './dossiers.js'
import { mulberry32 } from '../../src/sandbox/random.js'
import { createMetrics } from '../../src/metrics.js'
import { createLogger } from '../../src/log.js'
import type { Db } from '../../src/store/index.js'
import type { ServiceContext } from '../../src/services/context.js'

/** The agency tree, written out by hand (child → parent); the reference's notion of "under". */
export const PARENT: Record<string, string | null> = {
  '000.00.00.H56': null,
  '000.00.06.H56': '000.00.00.H56',
  '000.01.06.H56': '000.00.06.H56',
  '001.01.06.H56': '000.01.06.H56',
  '000.02.06.H56': '000.00.06.H56',
  '000.00.07.H56': '000.00.00.H56',
  '000.03.07.H56': '000.00.07.H56',
  '000.01.00.H56': '000.00.00.H56',
}
export const AGENCIES = Object.keys(PARENT)
export const under = (a: string, root: string): boolean => a === root || (PARENT[a] ? under(PARENT[a]!, root) : false)
export const PROCEDURES = ['1.001234', '2.000567', '1.003560']
/** The national status of the provincial codes the generator uses (config/status-map.json, read by a human). */
export const NATIONAL: Record<string, number> = { DA_TIEP_NHAN: 2, DANG_XU_LY: 4, YEU_CAU_BO_SUNG: 5, DA_BO_SUNG: 4, DA_XU_LY_XONG: 9, DA_TRA_KET_QUA: 10 }

export const HOUR = 3_600_000
export const DAY = 24 * HOUR
export const FROM = '2026-10-01'
export const TO = '2026-11-01'
export const vn = (day: string) => Date.parse(`${day}T00:00:00+07:00`)
/** An instant as the API takes it, in Vietnam time. */
export const ts = (ms: number) => new Date(ms + 7 * HOUR).toISOString().slice(0, 19) + '+07:00'

export interface Ev {
  status: string
  at: number
}
export interface Gen {
  code: string
  agency: string
  procedure: string
  channel: 'in_person' | 'online' | 'postal'
  receivedAt: number
  dueAt: number
  finishedAtUpsert?: number
  fees: number[]
  paidOnline: boolean
  docs: { digitized?: boolean; reused?: boolean; fromNationalWarehouse?: boolean; deleted?: boolean }[]
  results: { url?: boolean; resultCode?: boolean }[]
  vneid: boolean
  events: Ev[]
  synced: boolean
  lookup: 'none' | 'before' | 'after'
}

export function generate(n: number): Gen[] {
  const rnd = mulberry32(1414)
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!
  const out: Gen[] = []
  for (let i = 0; i < n; i++) {
    const agency = AGENCIES[i % AGENCIES.length]!
    // Mostly October; some late September (finished or open in October) and some early November (outside).
    const base = i % 10 === 0 ? vn('2026-09-20') : i % 13 === 0 ? vn('2026-11-01') : vn(FROM)
    const receivedAt = base + Math.floor(rnd() * (i % 13 === 0 ? 5 : 30) * DAY) + 8 * HOUR
    const dueAt = receivedAt + (3 + Math.floor(rnd() * 10)) * DAY
    const events: Ev[] = [{ status: 'DANG_XU_LY', at: receivedAt + 2 * HOUR }]
    let t = receivedAt + 4 * HOUR
    const pauses = i % 3 // 0, 1 or 2 supplement pauses
    for (let p = 0; p < pauses; p++) {
      events.push({ status: 'YEU_CAU_BO_SUNG', at: t })
      if (rnd() < 0.3) events.push({ status: 'YEU_CAU_BO_SUNG', at: t + HOUR }) // a repeated 5 continues the same pause
      t += Math.floor((0.5 + rnd() * 3) * DAY)
      events.push({ status: 'DA_BO_SUNG', at: t })
      t += 2 * HOUR
    }
    const fate = rnd()
    let finishedAtUpsert: number | undefined
    if (fate < 0.75) {
      // Finishes before or after its due time (plus pauses).
      const finish = Math.max(t + HOUR, dueAt + Math.floor((rnd() * 10 - 6) * DAY))
      const how = rnd()
      if (how < 0.5) events.push({ status: pick(['DA_XU_LY_XONG', 'DA_TRA_KET_QUA'] as const), at: finish })
      else if (how < 0.8) finishedAtUpsert = finish
      else {
        events.push({ status: 'DA_XU_LY_XONG', at: finish + DAY })
        events.push({ status: 'DA_TRA_KET_QUA', at: finish + 2 * DAY })
        finishedAtUpsert = finish
      }
    } else if (fate < 0.85) {
      events.push({ status: 'YEU_CAU_BO_SUNG', at: t }) // still waiting for the applicant
    }
    const docCount = Math.floor(rnd() * 4)
    const docs = Array.from({ length: docCount }, () => ({
      ...(rnd() < 0.4 ? { digitized: true } : {}),
      ...(rnd() < 0.2 ? { reused: true } : {}),
      ...(rnd() < 0.15 ? { fromNationalWarehouse: true } : {}),
      ...(rnd() < 0.15 ? { deleted: true } : {}),
    }))
    const feeKind = rnd()
    const fees = feeKind < 0.4 ? [] : feeKind < 0.55 ? [0] : feeKind < 0.8 ? [50_000] : [0, 120_000]
    const resultCount = Math.floor(rnd() * 3)
    const results = Array.from({ length: resultCount }, () => {
      const r = rnd()
      return r < 0.3 ? { url: true } : r < 0.5 ? { resultCode: true } : r < 0.6 ? { url: true, resultCode: true } : {}
    })
    out.push({
      code: `${agency}-261001-${String(i).padStart(4, '0')}`,
      agency,
      procedure: pick(PROCEDURES),
      channel: pick(['in_person', 'online', 'online', 'postal'] as const),
      receivedAt,
      dueAt,
      ...(finishedAtUpsert !== undefined ? { finishedAtUpsert } : {}),
      fees,
      paidOnline: rnd() < 0.5,
      docs,
      results,
      vneid: rnd() < 0.2,
      events,
      synced: rnd() < 0.6,
      lookup: i % 11 === 0 ? 'before' : i % 11 === 5 ? 'after' : 'none',
    })
  }
  return out
}

/** The upsert body of a generated dossier; `final` carries finishedAt (a second upsert). */
export function body(g: Gen, eventId: string, final: boolean) {
  return {
    eventId,
    dossierCode: g.code,
    procedureCode: g.procedure,
    procedureName: 'Thủ tục thử nghiệm',
    agencyCode: g.agency,
    channel: g.channel,
    applicant: { kind: 'citizen', name: 'Nguyễn Văn An', idType: 'cccd', idNumber: fakeCccd(7), ...(g.vneid ? { vneidVerified: true } : {}) },
    summary: 'Hồ sơ thử nghiệm chỉ số',
    receivedAt: ts(g.receivedAt),
    dueAt: ts(g.dueAt),
    ...(final && g.finishedAtUpsert !== undefined ? { finishedAt: ts(g.finishedAtUpsert) } : {}),
    status: 'DA_TIEP_NHAN',
    ...(g.paidOnline ? { paidOnline: true } : {}),
    ...(g.docs.length ? { documents: g.docs.map((d, k) => ({ id: `doc-${k}`, name: `Giấy tờ ${k}`, componentCode: `TP-${k}`, ...d })) } : {}),
    ...(g.fees.length ? { fees: g.fees.map((amount, k) => ({ name: `Lệ phí ${k}`, amount })) } : {}),
    ...(g.results.length
      ? {
          results: g.results.map((r, k) => ({
            id: `kq-${k}`,
            name: `Kết quả ${k}`,
            ...(r.url ? { url: `https://example.gov.vn/kq/${k}.pdf` } : {}),
            ...(r.resultCode ? { resultCode: 'KQ.G15.000031' } : {}),
          })),
        }
      : {}),
  }
}

// ---------------------------------------------------------------- the reference (issue 14's definitions, on the generated data)

export interface Derived {
  g: Gen
  finish?: number
  pauses: number
  pauseMs: number
  openPause?: number
  components: Gen['docs']
}
export function derive(g: Gen): Derived {
  const finals = g.events.filter((e) => NATIONAL[e.status] === 9 || NATIONAL[e.status] === 10).map((e) => e.at)
  const candidates = [...finals, ...(g.finishedAtUpsert !== undefined ? [g.finishedAtUpsert] : [])]
  let open: number | undefined
  let pauses = 0
  let pauseMs = 0
  for (const e of g.events) {
    if (NATIONAL[e.status] === 5) {
      if (open === undefined) {
        open = e.at
        pauses++
      }
    } else if (open !== undefined) {
      pauseMs += e.at - open
      open = undefined
    }
  }
  return {
    g,
    ...(candidates.length ? { finish: Math.min(...candidates) } : {}),
    pauses,
    pauseMs,
    ...(open !== undefined ? { openPause: open } : {}),
    components: g.docs.filter((d) => !d.deleted),
  }
}

export type Membership = Record<string, { denominator: Derived[]; numerator: Derived[] }>
export function reference(all: Derived[], from: number, to: number): Membership {
  const received = all.filter((x) => x.g.receivedAt >= from && x.g.receivedAt < to)
  const finished = all.filter((x) => x.finish !== undefined && x.finish >= from && x.finish < to)
  const open = all.filter((x) => x.g.receivedAt < to && (x.finish === undefined || x.finish >= to))
  const m = (denominator: Derived[], num: (x: Derived) => boolean) => ({ denominator, numerator: denominator.filter(num) })
  const withFee = received.filter((x) => x.g.fees.some((f) => f > 0))
  const withComponent = received.filter((x) => x.components.length > 0)
  return {
    DOSSIER_SYNC: m(received, (x) => x.g.synced),
    ON_TIME: m(finished, (x) => x.finish! <= x.g.dueAt + x.pauseMs && x.pauses <= 1),
    ONLINE_INTAKE: m(received, (x) => x.g.channel === 'online'),
    ONLINE_PAYMENT: m(withFee, (x) => x.g.paidOnline),
    DIGITISED_COMPONENTS: m(withComponent, (x) => x.components.some((c) => c.digitized)),
    RESULT_DIGITISED: m(finished, (x) => x.g.results.some((r) => r.url || r.resultCode)),
    REUSED_DATA: m(withComponent, (x) => x.components.some((c) => c.reused || c.fromNationalWarehouse)),
    CITIZEN_DATA_CONNECTED: m(received, (x) => x.g.vneid || x.components.some((c) => c.fromNationalWarehouse) || x.g.lookup !== 'none'),
    OVERDUE_OPEN: m(open, (x) => x.g.dueAt + x.pauseMs + (x.openPause !== undefined && x.openPause < to ? to - x.openPause : 0) < to),
    AVG_PROCESSING_DAYS: m(finished, () => true),
  }
}
export const avgDays = (xs: Derived[]) => xs.reduce((s, x) => s + (x.finish! - x.g.receivedAt) / DAY, 0)

/** What the indicator service and its rollup need of the hub, on `db`; `foldMs` 0 turns the rollup off (every summary scans the facts). */
export const indicatorContext = (db: Db, foldMs: number): ServiceContext =>
  ({
    db,
    config: {
      INDICATORS_CONFIG_FILE: 'config/indicators.json',
      INDICATOR_GAUGE_REFRESH_MS: 300_000,
      INDICATOR_GAUGE_MAX_AGENCIES: 50,
      INDICATOR_ROLLUP_FOLD_MS: foldMs,
    },
    metrics: createMetrics(),
    logger: createLogger('warn'),
    shutdownSignal: new AbortController().signal,
  }) as unknown as ServiceContext
