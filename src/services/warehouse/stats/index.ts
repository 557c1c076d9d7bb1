import type { StatsQuery, StatsReply } from '../../../../schemas/v1/warehouse.js'
import type { Queryable } from '../../../store/index.js'
import { StatsRepository } from './repository.js'

/** Digitisation statistics per agency and period (Vietnam time): digitised, pushed, mirrored, reused, signature outcomes. */
export class StatsService {
  readonly repo: StatsRepository

  constructor(db: Queryable) {
    this.repo = new StatsRepository(db)
  }

  async query(q: StatsQuery): Promise<StatsReply> {
    const rows = await this.repo.rows({ period: q.period, from: q.from ?? '1970-01-01', to: q.to ?? '9999-12-31', agencyCode: q.agencyCode ?? null })
    return {
      period: q.period,
      rows: rows.map((r) => ({
        agencyCode: r.agency,
        period: r.period,
        digitised: r.digitised,
        pushed: r.pushed,
        mirrored: r.mirrored,
        reused: r.reused,
        signatures: { valid: r.sv, invalid: r.si, unsigned: r.su, untrusted: r.st },
      })),
    }
  }
}
