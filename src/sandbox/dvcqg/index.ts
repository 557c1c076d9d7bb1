import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Ajv, type ValidateFunction } from 'ajv'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { HandlerResult, SimKit, Simulator } from '../framework.js'
import { checkCompleteness } from './completeness.js'

const SCHEMA_DIR = fileURLToPath(new URL('../../../schemas/dvcqg/', import.meta.url))

/** One accepted change, as the portal would show it in a dossier's history. */
export interface PortalEntry {
  op: 'create' | 'update' | 'progress' | 'status'
  at: string
  status?: string
  /** progress: the step's NoiDungXuLy (what was done). */
  content?: string
  stepStatus?: string
}

interface PortalDossier {
  hoso: Record<string, unknown>
  history: PortalEntry[]
}

export interface DvcqgSimOptions {
  username?: string
  password?: string
}

const OK = (result: unknown[] = [], message = 'Thành công'): HandlerResult => ({ body: { error_code: 0, message, result }, outcome: 'accepted' })
const FAIL = (message: string, code = '1'): HandlerResult => ({ body: { error_code: code, message, result: [] }, outcome: `rejected: ${message}` })

/**
 * The DVCQG simulator: both transport styles (adapter + service with session login,
 * and URL per operation), as strict as the portal: unknown dossier, bad date format,
 * unknown status code, duplicate create ("đã tồn tại") and missing or expired
 * session are all refused with the portal's kind of message.
 */
export class DvcqgSimulator implements Simulator {
  readonly id = 'dvcqg'
  private sessions = new Set<string>()
  private dossiers = new Map<string, PortalDossier>()
  /** MaHoSo → message: the portal refuses this dossier (tests of parking / replay). */
  private rejections = new Map<string, string>()
  private readonly validateHoSo: ValidateFunction
  private readonly validateTienDo: ValidateFunction
  private readonly validateTrangThai: ValidateFunction
  readonly stats = { creates: 0, updates: 0, progress: 0, statusSyncs: 0, duplicateCreates: 0, rejected: 0 }
  /** Extra operations registered by other capabilities (catalog, warehouse). */
  private readonly extra = new Map<string, (body: Record<string, unknown>) => HandlerResult | Promise<HandlerResult>>()

  constructor(private readonly opts: DvcqgSimOptions = {}) {
    const ajv = new Ajv({ allErrors: false, strict: false })
    const dongBo = JSON.parse(readFileSync(SCHEMA_DIR + 'DongBoHoSoMC.schema.json', 'utf8')) as Record<string, unknown>
    const tienDo = JSON.parse(readFileSync(SCHEMA_DIR + 'CapNhatTienDoHoSoMC.schema.json', 'utf8')) as Record<string, unknown>
    this.validateHoSo = ajv.compile(dongBo)
    this.validateTienDo = ajv.compile(tienDo)
    this.validateTrangThai = ajv.compile(JSON.parse(readFileSync(SCHEMA_DIR + 'DongBoTrangThaiHoSo.schema.json', 'utf8')) as Record<string, unknown>)
  }

  /** Lets another simulator module add an operation (e.g. `LayThuTuc`, `GetKetQuaGiayTo`). */
  addOperation(service: string, fn: (body: Record<string, unknown>) => HandlerResult | Promise<HandlerResult>): void {
    this.extra.set(service, fn)
  }

  reset(): void {
    this.sessions.clear()
    this.dossiers.clear()
    this.rejections.clear()
    for (const k of Object.keys(this.stats) as (keyof typeof this.stats)[]) this.stats[k] = 0
  }

  state() {
    return { dossiers: this.dossiers.size, stats: this.stats, rejections: Object.fromEntries(this.rejections) }
  }

  dossier(code: string): PortalDossier | undefined {
    return this.dossiers.get(code)
  }

  /** Forgets a dossier, as a portal that lost its record would (fault injection). */
  lose(code: string): boolean {
    return this.dossiers.delete(code)
  }

  private explain(v: ValidateFunction): string {
    const e = v.errors?.[0]
    if (!e) return 'Dữ liệu không hợp lệ'
    const field =
      e.instancePath
        .split('/')
        .filter((p) => p && !/^\d+$/.test(p))
        .pop() ?? 'data'
    if (e.keyword === 'pattern' && /^Ngay|ThoiDiem/.test(field)) return `Trường ${field} không đúng định dạng yyyyMMddHHmmss`
    if (e.keyword === 'enum' && /TrangThai/.test(field)) return `Mã trạng thái ${field} không hợp lệ`
    if (e.keyword === 'required') return `Thiếu trường ${String(e.params['missingProperty'])}`
    return `Trường ${field} không hợp lệ: ${e.message ?? ''}`
  }

  private syncDossier(body: Record<string, unknown>, forced?: 'create' | 'update'): HandlerResult {
    const payload = forced ? { ...body, isUpdating: forced === 'update' ? 'True' : 'False' } : body
    if (!this.validateHoSo(payload)) {
      this.stats.rejected++
      return FAIL(this.explain(this.validateHoSo))
    }
    const updating = payload['isUpdating'] === 'True'
    const results: unknown[] = []
    for (const hoso of payload['data'] as Record<string, unknown>[]) {
      const code = String(hoso['MaHoSo'])
      const reason = this.rejections.get(code) ?? checkCompleteness(hoso)
      if (reason) {
        this.stats.rejected++
        return FAIL(reason)
      }
      const known = this.dossiers.get(code)
      const entry: PortalEntry = { op: updating ? 'update' : 'create', at: new Date().toISOString(), status: String(hoso['TrangThaiHoSo']) }
      if (!updating) {
        if (known) {
          this.stats.duplicateCreates++
          return FAIL(`Hồ sơ ${code} đã tồn tại trên hệ thống`)
        }
        this.dossiers.set(code, { hoso, history: [entry] })
        this.stats.creates++
      } else {
        if (!known) {
          this.stats.rejected++
          return FAIL(`Hồ sơ ${code} không tồn tại trên hệ thống`)
        }
        known.hoso = hoso
        known.history.push(entry)
        this.stats.updates++
      }
      results.push({ MaHoSo: code })
    }
    return OK(results)
  }

  private progress(body: Record<string, unknown>): HandlerResult {
    if (!this.validateTienDo(body)) {
      this.stats.rejected++
      return FAIL(this.explain(this.validateTienDo))
    }
    const steps = body['data'] as Record<string, unknown>[]
    // All or nothing, like the portal: an unknown dossier refuses the whole call.
    for (const s of steps) {
      if (!this.dossiers.has(String(s['MaHoSo']))) {
        this.stats.rejected++
        return FAIL(`Không tìm thấy hồ sơ ${String(s['MaHoSo'])}`)
      }
    }
    for (const s of steps) {
      this.dossiers.get(String(s['MaHoSo']))!.history.push({
        op: 'progress',
        at: new Date().toISOString(),
        content: String(s['NoiDungXuLy'] ?? ''),
        stepStatus: String(s['TrangThai'] ?? ''),
      })
    }
    this.stats.progress += steps.length
    return OK(steps.map((s) => ({ MaHoSo: s['MaHoSo'] })))
  }

  /** `DongBoTrangThaiHoSo` (type "2"): the status of dossiers the portal already holds, nothing else changes. */
  private statusSync(body: Record<string, unknown>): HandlerResult {
    if (!this.validateTrangThai(body)) {
      this.stats.rejected++
      return FAIL(this.explain(this.validateTrangThai))
    }
    const rows = body['data'] as Record<string, unknown>[]
    for (const r of rows) {
      if (!this.dossiers.has(String(r['MaHoSo']))) {
        this.stats.rejected++
        return FAIL(`Hồ sơ ${String(r['MaHoSo'])} không tồn tại trên hệ thống`)
      }
    }
    for (const r of rows) {
      const d = this.dossiers.get(String(r['MaHoSo']))!
      d.hoso = { ...d.hoso, TrangThaiHoSo: r['TrangThaiHoSo'] }
      d.history.push({ op: 'status', at: new Date().toISOString(), status: String(r['TrangThaiHoSo']) })
    }
    this.stats.statusSyncs += rows.length
    return OK(rows.map((r) => ({ MaHoSo: r['MaHoSo'] })))
  }

  private lookup(body: Record<string, unknown>): HandlerResult {
    const code = String(body['mahoso'] ?? body['MaHoSo'] ?? '')
    const d = this.dossiers.get(code)
    return OK(d ? [{ MaHoSo: code, TrangThaiHoSo: d.hoso['TrangThaiHoSo'] }] : [])
  }

  private dispatch(service: string, body: Record<string, unknown>): HandlerResult | Promise<HandlerResult> {
    switch (service) {
      case 'DongBoHoSoMC':
        return this.syncDossier(body)
      case 'CapNhatTienDoHoSoMC':
        return this.progress(body)
      case 'TraCuuHoSo':
        return this.lookup(body)
      case 'DongBoTrangThaiHoSo':
        return this.statusSync(body)
    }
    const fn = this.extra.get(service)
    return fn ? fn(body) : FAIL(`Không hỗ trợ dịch vụ ${service}`, '404')
  }

  routes(app: FastifyInstance, kit: SimKit): void {
    const user = this.opts.username ?? 'sandbox'
    const pass = this.opts.password ?? 'sandbox'
    const body = (req: FastifyRequest) => (req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {})

    // --- style A: adapter + service, session in the body ---
    app.post('/api/auth/login', (req, reply) =>
      kit.handle(this.id, 'login', req, reply, () => {
        const b = body(req)
        if (!req.headers['dstcode']) return FAIL('Thiếu mã dstcode', '400')
        if (b['username'] !== user || b['password'] !== pass) return FAIL('Sai tên đăng nhập hoặc mật khẩu', '401')
        const session = randomBytes(16).toString('hex')
        this.sessions.add(session)
        return { body: { error_code: 0, message: 'Đăng nhập thành công', session }, outcome: 'accepted' }
      }),
    )
    const adapter = (req: FastifyRequest, reply: Parameters<SimKit['handle']>[3]) => {
      const b = body(req)
      const service = String(b['service'] ?? '')
      return kit.handle(this.id, service || 'unknown', req, reply, (call) => {
        const session = typeof b['session'] === 'string' ? b['session'] : ''
        if (!session || !this.sessions.has(session)) return FAIL('Phiên làm việc không hợp lệ hoặc đã hết hạn', '401')
        if (call.expiredSession) {
          this.sessions.delete(session)
          return FAIL('Phiên làm việc đã hết hạn', '401')
        }
        if (!b['madonvi']) return FAIL('Thiếu mã đơn vị (madonvi)')
        const { session: _s, madonvi: _m, service: _sv, ...params } = b
        return this.dispatch(service, params)
      })
    }
    app.post('/api/tich-hop', adapter)
    app.post('/api/chia-se', adapter)

    // --- style B: one URL per operation ---
    const rest =
      (op: string, fn: (b: Record<string, unknown>) => HandlerResult | Promise<HandlerResult>) =>
      (req: FastifyRequest, reply: Parameters<SimKit['handle']>[3]) =>
        kit.handle(this.id, op, req, reply, () => fn({ ...(req.query as Record<string, unknown>), ...body(req) }))
    app.post(
      '/DongBoHoSo',
      rest('DongBoHoSoMC', (b) => this.syncDossier(b, 'create')),
    )
    app.post(
      '/CapNhatHoSo',
      rest('DongBoHoSoMC', (b) => this.syncDossier(b, 'update')),
    )
    app.post(
      '/DongBoTienTrinh',
      rest('CapNhatTienDoHoSoMC', (b) => this.progress(b)),
    )
    app.post(
      '/DongBoTrangThaiHoSo',
      rest('DongBoTrangThaiHoSo', (b) => this.statusSync(b)),
    )
    app.post(
      '/TraCuuHoSo',
      rest('TraCuuHoSo', (b) => this.lookup(b)),
    )
    for (const [path, service] of [
      ['/LayDanhSachTTHCDonVi', 'LayDanhSachTTHC'],
      ['/LayThuTuc', 'LayThuTuc'],
      ['/LayDanhMucCoQuan', 'LayDanhMucCoQuan'],
      ['/LayDanhMucLinhVuc', 'LayDanhMucLinhVuc'],
    ] as const) {
      app.get(
        path,
        rest(service, (b) => this.dispatch(service, b)),
      )
      app.post(
        path,
        rest(service, (b) => this.dispatch(service, b)),
      )
    }
    // Operations added by other capabilities (warehouse …): `POST /<service>` in this style.
    const mounted = new Set(['LayDanhSachTTHC', 'LayThuTuc', 'LayDanhMucCoQuan', 'LayDanhMucLinhVuc', 'LayDanhSachTTHCDonVi'])
    for (const service of this.extra.keys())
      if (!mounted.has(service))
        app.post(
          `/${service}`,
          rest(service, (b) => this.dispatch(service, b)),
        )

    // --- sandbox-only views and controls (not part of the portal) ---
    app.get('/_sandbox/dossiers/:code', async (req, reply) => {
      const d = this.dossiers.get((req.params as { code: string }).code)
      return d ?? reply.code(404).send({ message: 'unknown dossier' })
    })
    // Fault injection: the portal "loses" a dossier (a lost record, a restore from an old backup):
    // TraCuuHoSo finds nothing and its history is gone, as if it had never been received.
    app.delete('/_sandbox/dossiers/:code', async (req, reply) => {
      const code = (req.params as { code: string }).code
      return this.lose(code) ? { lost: code } : reply.code(404).send({ message: 'unknown dossier' })
    })
    app.get('/_sandbox/history', async () => {
      const out: Record<string, PortalEntry[]> = {}
      for (const [code, d] of this.dossiers) out[code] = d.history
      return out
    })
    app.put('/_sandbox/rejections/:code', async (req) => {
      const msg = (body(req)['message'] as string | undefined) ?? 'Mã thủ tục hành chính không tồn tại trong CSDL TTHC'
      this.rejections.set((req.params as { code: string }).code, msg)
      return { rejections: Object.fromEntries(this.rejections) }
    })
    app.delete('/_sandbox/rejections/:code', async (req) => {
      this.rejections.delete((req.params as { code: string }).code)
      return { rejections: Object.fromEntries(this.rejections) }
    })
  }
}
