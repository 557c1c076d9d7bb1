/**
 * The digitisation and completeness fields of the `<hoso>` record (issue 17): connected
 * national databases (`DSKetNoiCSDL`), supplement requests (`DanhSachHoSoBoSung`), other
 * attachments (`DanhSachTepDinhKemKhac`), result return (`HinhThuc`, `ThongTinTra`) and the
 * reuse flags of `TaiLieuNop` backed by warehouse links.
 *
 * Pure: the dossier service gathers the audit rows, events and links; this file formats them.
 */
import type { DossierDocument, DossierOtherAttachment, DossierSupplement, DossierUpsert, HoSoBoSung, KetNoiCSDL, TepDinhKemKhac } from './types.js'
import { formatDvcqgDate } from './to-dvcqg.js'

/** What the warehouse says about one dossier component (documents[i], by its id). */
export interface ComponentLink {
  /** A recorded reuse of a warehouse document for this component (POST …/usages). */
  reused?: boolean
  /** A warehouse document of the owner with this component's code (a digitised copy exists). */
  digitised?: boolean
  /** The linked document was mirrored from the national warehouse. */
  fromNationalWarehouse?: boolean
}

/** Data the dossier service gathers for one dossier before mapping it. */
export interface PortalExtras {
  /** `MaCSDL` codes of the national databases this dossier's lookups reached (the hub's audit, by purpose). */
  connectedDatabases?: readonly string[]
  /** Supplement parts of the dossier's events, in event order. */
  supplements?: readonly DossierSupplement[]
  /** Component id → warehouse link. */
  links?: Readonly<Record<string, ComponentLink>>
}

/** `DSKetNoiCSDL`: one entry per distinct database, sorted (a stable payload for the same audit). */
export function toKetNoiCSDL(databases: readonly string[] = []): KetNoiCSDL[] {
  const codes = new Set(databases)
  return [...codes].sort().map((MaCSDL) => ({ MaCSDL }))
}

const date = (iso: string | undefined, field: string) => (iso === undefined ? '' : formatDvcqgDate(iso, field))

/**
 * `DanhSachHoSoBoSung`: the supplement parts merged per `id` in event order (a later part
 * completes or corrects an earlier one), in the order each id first appeared. An entry with a
 * `receivedAt` is handed in (`TrangThaiBoSung` "2"), otherwise still requested ("1").
 * @throws MappingError naming `supplement.<field>` for an unparseable timestamp.
 */
export function toHoSoBoSung(parts: readonly DossierSupplement[] = []): HoSoBoSung[] {
  const merged = new Map<string, DossierSupplement>()
  for (const p of parts) {
    const before = merged.get(p.id)
    merged.set(p.id, before ? { ...before, ...stripUndefined(p) } : p)
  }
  return [...merged.values()].map((s) => ({
    HoSoBoSungId: s.id,
    NguoiYeuCauBoSung: s.requestedBy ?? '',
    NoiDungBoSung: s.content ?? '',
    NgayBoSung: date(s.requestedAt, 'supplement.requestedAt'),
    NguoiTiepNhanBoSung: s.receivedBy ?? '',
    ThongTinTiepNhan: s.receivedInfo ?? '',
    NgayTiepNhanBoSung: date(s.receivedAt, 'supplement.receivedAt'),
    TrangThaiBoSung: s.receivedAt === undefined ? '1' : '2',
    DanhSachGiayToBoSung: (s.documents ?? []).join('; '),
    DanhSachLePhiBoSung: (s.fees ?? []).join('; '),
    NgayHenTraTruoc: date(s.previousDueAt, 'supplement.previousDueAt'),
    NgayHenTraMoi: date(s.newDueAt, 'supplement.newDueAt'),
  }))
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>
}

/** `DanhSachTepDinhKemKhac`. */
export function toTepDinhKemKhac(items: readonly DossierOtherAttachment[] = []): TepDinhKemKhac[] {
  return items.map((a) => ({ TenGiayTo: a.name, SoLuong: String(a.count), LoaiGiayTo: a.kind ?? '' }))
}

/** `HinhThuc`: 1 at the desk, 2 online, 3 public postal service (the codes of `KenhThucHien`); "" when unknown. */
export function toHinhThuc(delivery: DossierUpsert['resultDelivery']): '' | '1' | '2' | '3' {
  return delivery === undefined ? '' : ({ at_desk: '1', online: '2', postal: '3' } as const)[delivery]
}

/** A component's flags: what the provincial system claimed, or what the warehouse links show. */
export function componentFlags(doc: DossierDocument, link: ComponentLink | undefined): { digitised: boolean; reused: boolean; fromNational: boolean } {
  return {
    digitised: doc.digitized === true || link?.digitised === true || link?.reused === true,
    reused: doc.reused === true || link?.reused === true,
    fromNational: doc.fromNationalWarehouse === true || link?.fromNationalWarehouse === true,
  }
}
