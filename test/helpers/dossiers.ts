/** Realistic, fictional dossier bodies for tests, benchmarks and the demo. */
export interface DossierBody {
  eventId: string
  dossierCode: string
  procedureCode: string
  procedureName: string
  agencyCode: string
  channel: 'in_person' | 'online' | 'postal'
  applicant: { kind: 'citizen'; name: string; idType: 'cccd'; idNumber: string; phone?: string; email?: string }
  summary: string
  receivedAt: string
  dueAt: string
  status: string
}

const pad = (n: number, w: number) => String(n).padStart(w, '0')

/** Dossier code `<agency>-<yyMMdd>-<NNNN>`; `i` picks the day and the number. */
export function dossierCode(i: number, agency = '000.00.06.H56'): string {
  const day = 1 + (Math.floor(i / 10_000) % 28)
  return `${agency}-2611${pad(day, 2)}-${pad(i % 10_000, 4)}`
}

/** A fictional but well-formed CCCD (Hà Nội 001, male born 1990). */
export function fakeCccd(i: number): string {
  return `0010${'90'}${pad(i % 1_000_000, 6)}`
}

export function dossierBody(i: number, eventId = `ev-${i}-0`, overrides: Partial<DossierBody> = {}): DossierBody {
  return {
    eventId,
    dossierCode: dossierCode(i),
    procedureCode: '1.001234',
    procedureName: 'Cấp giấy phép xây dựng nhà ở riêng lẻ',
    agencyCode: '000.00.06.H56',
    channel: 'in_person',
    applicant: { kind: 'citizen', name: 'Trần Thị Bình', idType: 'cccd', idNumber: fakeCccd(i), phone: '0912345678' },
    summary: 'Đề nghị cấp giấy phép xây dựng nhà ở riêng lẻ tại phường Tân Định',
    receivedAt: '2026-11-20T08:30:00+07:00',
    dueAt: '2026-12-04T17:00:00+07:00',
    status: 'DA_TIEP_NHAN',
    ...overrides,
  }
}
