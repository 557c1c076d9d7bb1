import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { migrate } from '../../src/store/migrate.js'
import { createPgDb } from '../../src/store/pg.js'
import type { Db } from '../../src/store/index.js'
import { DossierRepository } from '../../src/services/dossiers/repository.js'
import { storeEvent } from '../../src/services/dossiers/events/repository.js'
import { syncedFactsCte } from '../../src/services/indicators/facts/repository.js'
import { IndicatorRepository, type Counts, type Scope } from '../../src/services/indicators/repository.js'
import { IndicatorService } from '../../src/services/indicators/index.js'
import { IndicatorRollup, wholeMonths } from '../../src/services/indicators/rollup/index.js'
import { subtreeRange } from '../../src/services/indicators/agency.js'
import type { DossierUpsert } from '../../schemas/v1/dossier.js'
import { createTestDatabase } from '../helpers/pg.js'
import { AGENCIES, DAY, NATIONAL, PROCEDURES, body, derive, generate, indicatorContext, reference, under, vn, type Gen } from '../helpers/indicators.js'

/**
 * Issue 14, acceptance 3a: the monthly rollup answers exactly what the facts scan answers, and
 * both what the definitions say (test/helpers/indicators.ts `reference`, no hub code), while
 * facts change after a fold: dossiers finishing later, syncs and lookups arriving later, new
 * receipts in a folded month, a dossier moving to another agency or procedure. The intake goes
 * through the real intake statements (DossierRepository, storeEvent), so their queueing of
 * changed rows is what is tested. Folds are partial on purpose; then complete, repeated and concurrent.
 */

const h = (s: string) => createHash('sha256').update(s).digest('hex')
const ROLLUP_CODES = [
  'DOSSIER_SYNC',
  'ON_TIME',
  'ONLINE_INTAKE',
  'ONLINE_PAYMENT',
  'DIGITISED_COMPONENTS',
  'RESULT_DIGITISED',
  'REUSED_DATA',
  'CITIZEN_DATA_CONNECTED',
]
const PERIODS: [string, string][] = [
  ['2026-09-01', '2026-10-01'],
  ['2026-10-01', '2026-11-01'],
  ['2026-11-01', '2026-12-01'],
  ['2026-09-01', '2026-12-01'],
  ['2026-10-05', '2026-10-20'],
  ['2026-09-15', '2026-11-15'],
]
const SCOPE_AGENCIES = [undefined, '000.00.00.H56', '000.00.06.H56', '000.01.06.H56', '000.00.07.H56']
const SCOPE_PROCEDURES = [undefined, PROCEDURES[0]!]

/** What the hub has been told of a generated dossier so far (the reference's input). */
interface Told {
  g: Gen
  upserted: boolean
  final: boolean
  events: number
  synced: boolean
  lookup: boolean
}

const N = 240
const gens = generate(N).map((g, i) => ({ ...g, synced: g.synced, lookup: i % 4 === 0 ? ('after' as const) : g.lookup }))
const told: Told[] = gens.map((g) => ({ g, upserted: false, final: false, events: 0, synced: false, lookup: false }))

let db: Db
let drop: () => Promise<void>
let repo: DossierRepository
let facts: IndicatorRepository
let rollup: IndicatorRollup
const ctxOf = (foldMs: number) => indicatorContext(db, foldMs)

beforeAll(async () => {
  const t = await createTestDatabase()
  db = createPgDb({ url: t.url })
  drop = async () => {
    await db.close()
    await t.drop()
  }
  await migrate(db)
  repo = new DossierRepository(db)
  facts = new IndicatorRepository(db)
  rollup = new IndicatorRollup(ctxOf(60_000))
}, 60_000)
afterAll(async () => drop?.())

// ---------------------------------------------------------------- driving the intake

async function upsert(t: Told, final: boolean) {
  const { eventId: _e, ...dossier } = body(t.g, 'x', final)
  const eventId = `u-${t.g.code}-${final ? 'final' : 'first'}-${t.g.agency}-${t.g.procedure}`
  await repo.storeUpsert({ dossier: dossier as unknown as Omit<DossierUpsert, 'eventId'>, eventId, clientId: 'test', agencies: ['*'], hash: h(eventId) })
  t.upserted = true
  t.final = t.final || final
}

async function events(t: Told, upTo: number) {
  for (; t.events < upTo; t.events++) {
    const e = t.g.events[t.events]!
    const occurredAt = new Date(e.at + 7 * 3_600_000).toISOString().slice(0, 19) + '+07:00'
    await storeEvent(db, {
      dossierCode: t.g.code,
      event: { eventId: `e-${t.g.code}-${t.events}`, occurredAt, status: e.status } as never,
      clientId: 'test',
      agencies: ['*'],
      hash: h(`${t.g.code}-${t.events}`),
      national: NATIONAL[e.status]!,
    })
  }
}

async function sync(t: Told) {
  await db.query(`WITH d AS (UPDATE dossiers SET portal_known = true WHERE code = $1 RETURNING code)${syncedFactsCte('true')} SELECT 1`, [t.g.code])
  t.synced = true
}

async function lookup(t: Told) {
  await facts.markLookup(t.g.code)
  t.lookup = true
}

// ---------------------------------------------------------------- the expectation (no hub code)

/** The generated dossier as far as the hub knows it. */
function view(t: Told): Gen {
  return {
    ...t.g,
    events: t.g.events.slice(0, t.events),
    ...(t.final ? {} : { finishedAtUpsert: undefined }),
    synced: t.synced,
    lookup: t.lookup ? 'after' : 'none',
  } as Gen
}

function expected(from: number, to: number, agency?: string, procedure?: string) {
  const all = told
    .filter((t) => t.upserted)
    .map(view)
    .filter((g) => (!agency || under(g.agency, agency)) && (!procedure || g.procedure === procedure))
    .map(derive)
  return reference(all, from, to)
}

const pick = (c: Counts | undefined, codes: string[]) => ({
  d: Object.fromEntries(codes.map((k) => [k, c?.d[k as keyof Counts['d']] ?? 0])),
  n: Object.fromEntries(codes.map((k) => [k, c?.n[k as keyof Counts['n']] ?? 0])),
  finished: c?.finished ?? 0,
  days: c?.days ?? 0,
})

/** Every period × agency × procedure: rollup path == facts scan == the definitions. */
async function checkAll(label: string, opts: { service?: IndicatorService; baseline?: IndicatorService } = {}) {
  let compared = 0
  for (const [f, t] of PERIODS)
    for (const agency of SCOPE_AGENCIES)
      for (const procedure of SCOPE_PROCEDURES) {
        const where = `${label} ${f}..${t} ${agency ?? 'province'} ${procedure ?? 'all'}`
        const s: Scope = { from: new Date(vn(f)), to: new Date(vn(t)), ...(agency ? { range: subtreeRange(agency) } : {}), ...(procedure ? { procedure } : {}) }
        const scan = pick((await facts.counts(s, undefined, 'received-finished'))[0], ROLLUP_CODES)
        const ref = expected(vn(f), vn(t), agency, procedure)
        for (const code of ROLLUP_CODES) {
          expect(scan.d[code], `${where} ${code} d`).toBe(ref[code]!.denominator.length)
          expect(scan.n[code], `${where} ${code} n`).toBe(ref[code]!.numerator.length)
        }
        expect(scan.finished, where).toBe(ref['AVG_PROCESSING_DAYS']!.denominator.length)
        const refDays = ref['AVG_PROCESSING_DAYS']!.denominator.reduce((x, y) => x + (y.finish! - y.g.receivedAt) / DAY, 0)
        // The API takes whole seconds; the generator has milliseconds: at most a second per dossier apart.
        expect(Math.abs(scan.days - refDays), where).toBeLessThanOrEqual(scan.finished / 86_400)
        const months = wholeMonths(s)
        expect(months === undefined, where).toBe(f.endsWith('-05') || f.endsWith('-15'))
        if (months) {
          expect(pick(await rollup.repo.counts(s, months), ROLLUP_CODES), where).toEqual(scan)
          compared++
        }
        if (opts.service && opts.baseline) {
          const q = { from: f, to: t, ...(agency ? { agency } : {}), ...(procedure ? { procedure } : {}) }
          expect(await opts.service.summary(q), where).toEqual(await opts.baseline.summary(q))
        }
      }
  expect(compared).toBeGreaterThan(0)
}

const rollupRows = async () =>
  (
    await db.query(
      'SELECT month::text, agency_path, procedure_code, received, received_counts, finished, finished_counts, finished_seconds::text FROM indicator_rollup WHERE received <> 0 OR finished <> 0 ORDER BY 1, 2, 3',
    )
  ).rows

// ---------------------------------------------------------------- the run

describe('indicator rollup (PostgreSQL)', () => {
  it('phase 1: three quarters of the dossiers arrive, half their events; a partial fold; rollup == facts == definitions', async () => {
    for (const [i, t] of told.entries()) {
      if (i % 4 === 3) continue
      await upsert(t, i % 2 === 0)
      await events(t, Math.floor(t.g.events.length / 2))
      if (t.g.synced && i % 3 === 0) await sync(t)
      if (t.g.lookup !== 'none' && i % 2 === 0) await lookup(t)
    }
    await rollup.fold() // the first fold sets the definitions' fingerprint and folds everything
    await events(told[0]!, told[0]!.g.events.length)
    await upsert(told[2]!, true)
    expect(await rollup.repo.dirtyRows()).toBeGreaterThan(0)
    await checkAll('phase 1')
  }, 120_000)

  it('phase 2: later finishes, syncs, lookups, new receipts in folded months, agency and procedure changes; partial folds; still exact', async () => {
    for (const [i, t] of told.entries()) {
      if (i % 4 === 3) await upsert(t, false) // received in September..November: months already folded
      if (i % 17 === 0) t.g = { ...t.g, procedure: PROCEDURES[(PROCEDURES.indexOf(t.g.procedure) + 1) % PROCEDURES.length]! }
      if (i % 19 === 0) t.g = { ...t.g, agency: AGENCIES[(AGENCIES.indexOf(t.g.agency) + 3) % AGENCIES.length]! }
      if (i % 17 === 0 || i % 19 === 0) await upsert(t, t.final)
    }
    await rollup.fold({ batch: 40, maxBatches: 2 })
    // Another process folds small batches while the intake goes on (races of intake and fold).
    let intakeDone = false
    let folded = 0
    const folder = new IndicatorRollup(ctxOf(60_000))
    const background = (async () => {
      while (!intakeDone) folded += (await folder.fold({ batch: 5, maxBatches: 3 })).rows
    })()
    for (const [i, t] of told.entries()) {
      if (i >= 160) intakeDone = true
      await events(t, t.g.events.length) // finishes and pauses arrive later
      if (!t.final && i % 5 !== 0) await upsert(t, true)
      if (t.g.synced && !t.synced) await sync(t)
      if (t.g.lookup !== 'none' && !t.lookup) await lookup(t)
    }
    await background
    expect(folded).toBeGreaterThan(0)
    expect(await rollup.repo.dirtyRows()).toBeGreaterThan(30)
    await checkAll('phase 2')
  }, 120_000)

  it('a complete fold leaves nothing dirty; a second fold changes nothing; the service answers the same through the rollup as through the scan', async () => {
    await rollup.fold({ batch: 25 })
    expect(await rollup.repo.dirtyRows()).toBe(0)
    const before = await rollupRows()
    expect(await rollup.fold()).toEqual({ rows: 0, batches: 1 })
    // Rows marked dirty without a change fold to nothing.
    await db.query('INSERT INTO indicator_dirty (code) SELECT code FROM dossier_facts ORDER BY code LIMIT 50')
    expect((await rollup.fold()).rows).toBe(50)
    expect(await rollupRows()).toEqual(before)
    expect((await rollup.repo.state()).ready).toBe(true)
    await checkAll('folded', { service: new IndicatorService(ctxOf(60_000)), baseline: new IndicatorService(ctxOf(0)) })
  }, 120_000)

  it('concurrent folds (other processes) count every row once: a rebuild folded by four folders at once', async () => {
    const before = await rollupRows()
    await db.query(`UPDATE indicator_rollup_state SET defs = 'older definitions'`)
    const folders = [rollup, new IndicatorRollup(ctxOf(60_000)), new IndicatorRollup(ctxOf(60_000)), new IndicatorRollup(ctxOf(60_000))]
    await Promise.all(folders.map((r) => r.fold({ batch: 7 })))
    await checkAll('concurrent, before the last fold')
    await rollup.fold({ batch: 7 })
    expect(await rollup.repo.dirtyRows()).toBe(0)
    expect(await rollupRows()).toEqual(before)
    await checkAll('concurrent')
  }, 120_000)
})
