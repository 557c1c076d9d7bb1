/** One call received by a simulator. */
export interface SandboxRecord {
  seq: number
  at: string
  sim: string
  operation: string
  method: string
  path: string
  body: unknown
  /** The injected fault, when one was. */
  fault?: string
  /** HTTP status answered (undefined for a hang or reset). */
  status?: number
  /** The simulator's verdict, e.g. `accepted`, `rejected: <message>`. */
  outcome?: string
}

export interface RecordQuery {
  sim?: string
  operation?: string
  sinceSeq?: number
  limit?: number
}

/** A bounded in-memory record of everything the sandbox received, queryable over its admin API. */
export class Recorder {
  private records: SandboxRecord[] = []
  private seq = 0
  constructor(private readonly cap = 2_000_000) {}

  add(r: Omit<SandboxRecord, 'seq' | 'at'>): SandboxRecord {
    const rec = { seq: ++this.seq, at: new Date().toISOString(), ...r }
    this.records.push(rec)
    if (this.records.length > this.cap) this.records.splice(0, this.records.length - this.cap)
    return rec
  }

  query(q: RecordQuery = {}): SandboxRecord[] {
    const out: SandboxRecord[] = []
    for (const r of this.records) {
      if (q.sinceSeq !== undefined && r.seq <= q.sinceSeq) continue
      if (q.sim && r.sim !== q.sim) continue
      if (q.operation && r.operation !== q.operation) continue
      out.push(r)
      if (q.limit && out.length >= q.limit) break
    }
    return out
  }

  counts(): Record<string, number> {
    const c: Record<string, number> = {}
    for (const r of this.records) {
      const k = `${r.sim}/${r.operation}${r.fault ? `#${r.fault}` : ''}`
      c[k] = (c[k] ?? 0) + 1
    }
    return c
  }

  clear(): void {
    this.records = []
  }
}
