import { mkdirSync, writeFileSync } from 'node:fs'

/**
 * The report of test/e2e/multiproc-chaos.test.ts, written like chaos.test.ts's: into `CHAOS_REPORT_DIR`
 * (default test-results/; CHAOS_REPORT_DIR=bench/results records the published run), as JSON and a short Markdown page.
 */
export function writeMultiprocReport(r: Record<string, unknown> & { dossiers: number }): void {
  const dir = process.env['CHAOS_REPORT_DIR'] ?? 'test-results'
  const name = `multiproc-chaos${r.dossiers === 1000 ? '' : `-${r.dossiers}`}`
  mkdirSync(dir, { recursive: true })
  writeFileSync(`${dir}/${name}.json`, JSON.stringify(r, null, 2) + '\n')
  writeFileSync(`${dir}/${name}.md`, markdown(r as unknown as MdReport))
}

interface MdReport {
  at: string
  machine: { cpus: number; node: string }
  dossiers: number
  events: number
  bootMs: number
  intakeMs: number
  allDeliveredMs: number
  totalMs: number
  intake: Record<string, unknown>
  lostPortalEntries: number
  orderViolations: number
  duplicateDeliveries: number
  duplicateCreatesTurnedIntoUpdates: number
  hubTimeouts: { total: number; injectedHangs: number; answeredLate: number }
  once: { durationMs: number; catalog: Record<string, unknown>; mirror: Record<string, unknown> }
}

function markdown(r: MdReport): string {
  const s = (ms: number) => (ms / 1000).toFixed(1)
  const cat = r.once.catalog
  const mir = r.once.mirror
  return `# Multi-process chaos (issue 13)

${r.at}, ${r.machine.cpus} CPUs (shared), Node ${r.machine.node}. Two \`api\` and three \`worker\` processes (child processes, one
queue prefix), one private Redis, one PostgreSQL database; the sandbox answers DVCQG with 20% 503, 5% hangs past the
1 s timeout and 5% 429. Mid-run one worker and one API process are SIGKILLed and restarted. Reproduce:
\`CHAOS_REPORT_DIR=bench/results npx vitest run test/e2e/multiproc-chaos.test.ts --maxWorkers=1\`.

| | |
|---|---|
| dossiers × events | ${r.dossiers} × ${r.events / r.dossiers} = ${r.events} |
| lost (expected portal entries missing) / dossiers misordered | ${r.lostPortalEntries} / ${r.orderViolations} |
| duplicate deliveries (at-least-once) | ${r.duplicateDeliveries} (repeated creates turned into updates: ${r.duplicateCreatesTurnedIntoUpdates}) |
| DVCQG calls the hub timed out (injected hangs + answered after the 1 s deadline) | ${r.hubTimeouts.total} (${r.hubTimeouts.injectedHangs} + ${r.hubTimeouts.answeredLate}) |
| requests resent to the other API (refused or cut connection) | ${String(r.intake['retriedOnOtherApi'])} |
| requests resent after 503/429 | ${String(r.intake['retriedAfter503or429'])} |
| accepted per API (restarted API after its restart) | ${JSON.stringify(r.intake['perApi'])} (${String(r.intake['acceptedByRestartedApi'])}) |
| events stored (resends stored nothing twice) | ${String(r.intake['storedEvents'])} |
| boot / intake / all delivered / whole test (s) | ${s(r.bootMs)} / ${s(r.intakeMs)} / ${s(r.allDeliveredMs)} / ${s(r.totalMs)} |

Once across the three workers (faults off, ${s(r.once.durationMs)} s): catalog sync of ${String(cat['procedures'])} procedures requested
from both APIs at once: ${String(cat['runs'])} run, ${String(cat['listCalls'])} procedure listing call(s) (list phases in order:
\`${String(cat['listPhases'])}\`: A agencies, F fields, L list), ${String(cat['fetchCalls'])} procedure fetches
(${String(cat['codesFetchedMoreThanOnce'])} fetched more than once; sandbox calls not matching the hub's recorded attempts:
${String(cat['callsNotMatchingHubAttempts'])}), fetches per worker ${JSON.stringify(cat['fetchesPerWorker'])}. Warehouse backfill of
${String(mir['owners'])} owners / ${String(mir['files'])} files: ${String(mir['listCalls'])} owner listings, ${String(mir['downloads'])} downloads
(${String(mir['filesDownloadedMoreThanOnce'])} files more than once, ${String(mir['filesDownloadedTwiceInOneRun'])} of them twice in one run of their owner),
${String(mir['storedRows'])} rows stored, files stored per worker
${JSON.stringify(mir['storedPerWorker'])}; owner listings equal the owner runs the hub recorded (a run whose call timed out is retried).

The sandbox never applies a call it hangs: a duplicate delivery is the retry of a call the portal applied but answered
after the hub's 1 s deadline (the loaded machine), or one in flight in the killed worker (at-least-once). A repeated create
is such a retry of \`DongBoHoSoMC\` in create mode: the portal turns it into an update and keeps one dossier.
`
}
