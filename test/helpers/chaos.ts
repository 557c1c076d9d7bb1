import type { PortalEntry } from '../../src/sandbox/dvcqg/index.js'
import { dossierBody, dossierCode } from './dossiers.js'
import type { TestSandbox } from './hub.js'

/**
 * The chaos load shared by test/e2e/chaos.test.ts (one API, worker processes) and
 * test/e2e/multiproc-chaos.test.ts (several API and worker processes): each dossier's
 * events, the portal history they must produce, and the check of that history.
 */
export const CHAOS_EVENTS = 10

/** Faults of the DVCQG sandbox during the load: 20% 503, 5% hangs past the timeout, 5% 429 with Retry-After. */
export const CHAOS_FAULTS = { errorRate: 0.2, errorStatus: 503, hangRate: 0.05, rate429: 0.05, retryAfterSec: 1 }

/** Retry, lease and reconciler timings of the chaos runs: short, so a killed process's work is taken over within seconds. */
export const CHAOS_TIMINGS = {
  RETRY_BASE_MS: '200',
  RETRY_MAX_MS: '2000',
  DOSSIER_LEASE_MS: '5000',
  RECONCILE_INTERVAL_MS: '1000',
  RECONCILE_GRACE_MS: '3000',
}

/** Provincial status sent with event k, and the portal status code it maps to. */
const STATUS_AT: Record<number, [string, string]> = {
  1: ['DANG_XU_LY', '4'],
  4: ['YEU_CAU_BO_SUNG', '5'],
  5: ['DANG_XU_LY', '4'],
  8: ['DA_XU_LY_XONG', '9'],
  9: ['DA_TRA_KET_QUA', '10'],
}

/** Request k (0: the create) of dossier i: path and body; eventIds are stable, so a resend is idempotent. */
export function chaosRequest(i: number, k: number, idPrefix = 'cx'): { path: string; body: unknown } {
  if (k === 0) return { path: '/v1/dossiers', body: dossierBody(i, `${idPrefix}-${i}-0`) }
  const st = STATUS_AT[k]
  return {
    path: `/v1/dossiers/${dossierCode(i)}/events`,
    body: {
      eventId: `${idPrefix}-${i}-${k}`,
      occurredAt: new Date(Date.UTC(2026, 10, 21, 1, k)).toISOString(),
      ...(st ? { status: st[0] } : {}),
      step: { actor: `Cán bộ ${k}`, department: 'Bộ phận một cửa', action: `c-${i}-${k}` },
    },
  }
}

/** The requests of dossier i with `events` events (create included), in submission order. */
export function intakeRequests(i: number, events = CHAOS_EVENTS, idPrefix = 'cx'): { path: string; body: unknown }[] {
  return Array.from({ length: events }, (_, k) => chaosRequest(i, k, idPrefix))
}

export type Expected = { t: 'sync' | 'progress'; v: string }

/** What the portal must show for dossier i, in order: the create's status, then each status and step. */
export function expectedFor(i: number, events = CHAOS_EVENTS): Expected[] {
  const out: Expected[] = [{ t: 'sync', v: '2' }]
  for (let k = 1; k < events; k++) {
    const st = STATUS_AT[k]
    if (st) out.push({ t: 'sync', v: st[1] })
    out.push({ t: 'progress', v: `c-${i}-${k}` })
  }
  return out
}

const asExpected = (h: PortalEntry): Expected => (h.op === 'progress' ? { t: 'progress', v: h.content ?? '' } : { t: 'sync', v: h.status ?? '' })
const same = (a: Expected, b: Expected) => a.t === b.t && a.v === b.v

/** Walks the portal history: each entry is the next expected one, or a repeat of one already delivered. */
export function checkOrder(history: PortalEntry[], expected: Expected[]) {
  let p = 0
  let duplicates = 0
  const violations: string[] = []
  for (const h of history.map(asExpected)) {
    if (p < expected.length && same(h, expected[p]!)) p++
    else if (expected.slice(0, p).some((e) => same(e, h))) duplicates++
    else violations.push(`${h.t}:${h.v} arrived before ${expected[p]?.t}:${expected[p]?.v}`)
  }
  return { delivered: p, duplicates, violations }
}

/**
 * The portal's history of dossiers 0..n-1 against `expectedFor`: duplicate deliveries,
 * expected portal entries missing, dossiers with something lost or misordered, and how
 * many dossiers got how many creates.
 */
export function checkPortal(sandbox: TestSandbox, n: number) {
  let duplicates = 0
  let missing = 0
  const problems: string[] = []
  const creates = new Map<number, number>()
  for (let i = 0; i < n; i++) {
    const history = sandbox.sims.dvcqg.dossier(dossierCode(i))?.history ?? []
    const exp = expectedFor(i)
    const res = checkOrder(history, exp)
    duplicates += res.duplicates
    missing += exp.length - res.delivered
    if (res.delivered !== exp.length || res.violations.length)
      problems.push(`${dossierCode(i)}: delivered ${res.delivered}/${exp.length} ${res.violations.join('; ')}`)
    const c = history.filter((h) => h.op === 'create').length
    creates.set(c, (creates.get(c) ?? 0) + 1)
  }
  return { duplicates, missing, problems, dossiersByCreates: Object.fromEntries(creates) as Record<string, number> }
}
