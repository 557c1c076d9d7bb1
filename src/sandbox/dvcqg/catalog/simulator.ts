import type { FastifyInstance } from 'fastify'
import type { HandlerResult, Simulator } from '../../framework.js'
import type { DvcqgSimulator } from '../index.js'
import { SandboxCatalog, type ExpectedCatalogChange } from './seed.js'

const OK = (result: unknown[]): HandlerResult => ({ body: { error_code: 0, message: 'Thành công', result }, outcome: 'accepted' })

export interface CatalogSimOptions {
  seed: number
  /** Procedures seeded (≥ 2,000 for the demo and benchmark; smaller in tests). */
  size: number
}

export interface CatalogMutation {
  amend?: number
  add?: number
  withdraw?: number
  /** Seed of the pick (default: a counter, so repeated calls pick differently). */
  seed?: number
}

/**
 * The national procedure catalog behind the DVCQG simulator: serves `LayDanhSachTTHC`,
 * `LayThuTuc`, `LayDanhMucCoQuan` and `LayDanhMucLinhVuc` through the DVCQG simulator
 * (same fault injection and recorder, both transport styles), and adds sandbox-only
 * controls under `/dvcqg-catalog/_sandbox/catalog` to mutate it between sync runs.
 * The catalog is generated on first use, so hubs that never sync pay nothing.
 */
export class CatalogSimulator implements Simulator {
  readonly id = 'dvcqg-catalog'
  private current?: SandboxCatalog
  private mutations = 0

  constructor(
    dvcqg: DvcqgSimulator,
    private opts: CatalogSimOptions,
  ) {
    dvcqg.addOperation('LayDanhSachTTHC', () => OK(this.catalog.list()))
    dvcqg.addOperation('LayThuTuc', (body) => {
      const code = String(body['maTTHC'] ?? body['MaTTHC'] ?? body['matthc'] ?? '')
      const rec = this.catalog.get(code)
      return rec ? OK([rec]) : { body: { error_code: 1, message: `Không tìm thấy thủ tục hành chính ${code}`, result: [] }, outcome: 'rejected: not found' }
    })
    dvcqg.addOperation('LayDanhMucCoQuan', () => OK(this.catalog.agencies()))
    dvcqg.addOperation('LayDanhMucLinhVuc', () => OK(this.catalog.fields()))
  }

  get catalog(): SandboxCatalog {
    this.current ??= new SandboxCatalog(this.opts.seed, this.opts.size)
    return this.current
  }

  /** Back to the seeded catalog (optionally another size or seed). */
  reset(opts: Partial<CatalogSimOptions> = {}): void {
    this.opts = { ...this.opts, ...opts }
    this.current = undefined
    this.mutations = 0
  }

  /** Amend, add and withdraw; returns the change list a following sync must report. */
  mutate(m: CatalogMutation): ExpectedCatalogChange[] {
    this.mutations += 1
    return this.catalog.mutateForTest({ amend: m.amend ?? 0, add: m.add ?? 0, withdraw: m.withdraw ?? 0 }, m.seed ?? this.mutations)
  }

  state() {
    return { seed: this.opts.seed, size: this.current?.size ?? this.opts.size, generated: this.current !== undefined, digest: this.current?.digest() }
  }

  routes(app: FastifyInstance): void {
    const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined)
    app.post('/_sandbox/catalog/mutate', async (req) => {
      const b = (req.body ?? {}) as Record<string, unknown>
      return { changes: this.mutate({ amend: num(b['amend']), add: num(b['add']), withdraw: num(b['withdraw']), seed: num(b['seed']) }) }
    })
    app.post('/_sandbox/catalog/reset', async (req) => {
      const b = (req.body ?? {}) as Record<string, unknown>
      const size = num(b['size'])
      const seed = num(b['seed'])
      this.reset({ ...(size !== undefined ? { size } : {}), ...(seed !== undefined ? { seed } : {}) })
      return this.state()
    })
    app.get('/_sandbox/catalog', async () => this.state())
  }
}
