import type { CapNhatTienDoHoSoMC, DongBoHoSoMC, DongBoTrangThaiHoSo } from '../../mappings/dvcqg/types.js'
import { fromTraCuuHoSo, type PortalDossierState } from '../../mappings/dvcqg/from-tra-cuu-ho-so.js'
import type { DvcqgWire } from './wire.js'

/** DVCQG dossier operations (status sync). */
export interface DvcqgDossierOps {
  /**
   * Creates (`isUpdating` False) or updates a dossier. A create answered "đã tồn tại"
   * (already exists) is sent again as an update; `created` tells which happened.
   */
  syncDossier(payload: DongBoHoSoMC, signal?: AbortSignal): Promise<{ created: boolean; resentAsUpdate: boolean }>
  /** Appends ≤ 10 processing steps. */
  updateProgress(payload: CapNhatTienDoHoSoMC, signal?: AbortSignal): Promise<void>
  /** Status-only sync of a dossier the portal already knows (`DongBoTrangThaiHoSo`). */
  syncStatus(payload: DongBoTrangThaiHoSo, signal?: AbortSignal): Promise<void>
  /** Does the portal know this dossier? */
  lookupDossier(code: string, signal?: AbortSignal): Promise<boolean>
  /** The portal's record of a dossier (`TraCuuHoSo`): its status, or null when the portal does not hold it. */
  findDossier(code: string, signal?: AbortSignal): Promise<PortalDossierState | null>
}

export function dvcqgDossierOps(wire: DvcqgWire): DvcqgDossierOps {
  return {
    async syncDossier(payload, signal) {
      const creating = payload.isUpdating === 'False'
      const first = await wire.send('DongBoHoSoMC', creating ? 'DongBoHoSoMC:create' : 'DongBoHoSoMC:update', { ...payload }, { signal })
      if (first.kind === 'already_exists' && creating) {
        wire.ok('DongBoHoSoMC', await wire.send('DongBoHoSoMC', 'DongBoHoSoMC:update', { ...payload, isUpdating: 'True' }, { signal }))
        return { created: false, resentAsUpdate: true }
      }
      wire.ok('DongBoHoSoMC', first)
      return { created: creating, resentAsUpdate: false }
    },
    async updateProgress(payload, signal) {
      await wire.call('CapNhatTienDoHoSoMC', { ...payload }, { signal })
    },
    async syncStatus(payload, signal) {
      await wire.call('DongBoTrangThaiHoSo', { ...payload }, { signal })
    },
    async lookupDossier(code, signal) {
      const r = await wire.call('TraCuuHoSo', { mahoso: code }, { signal, idempotent: true })
      return r.result.length > 0
    },
    async findDossier(code, signal) {
      const r = await wire.call('TraCuuHoSo', { mahoso: code }, { signal, idempotent: true })
      return fromTraCuuHoSo(code, r.result)
    },
  }
}
