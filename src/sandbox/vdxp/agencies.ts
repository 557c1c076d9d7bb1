/**
 * The sandbox axis's directory: agencies connected to the national document-exchange
 * axis (VDXP) and the provincial systems (`X-SystemId` / `X-SecretKey`) allowed to
 * send and receive for them. The first two are the hub's own pair (send as A, receive
 * as B); the others are the agencies of the SDK's real samples, so each sample can be
 * sent as it is; one agency is locked (error 23).
 */

export interface SandboxAgency {
  /** Agency code (mã định danh), as in `From/OrganId` and `To/OrganId`. */
  code: string
  name: string
  /** Parent agency's code ('' at the top). */
  pcode: string
  email: string
  /** A locked agency cannot receive (error 23). */
  locked: boolean
}

export interface SandboxSystem {
  systemId: string
  secretKey: string
  /** Agencies the system sends for (From/OrganId) and receives for (To/OrganId). */
  agencies: string[]
}

export const AGENCIES: readonly SandboxAgency[] = [
  { code: '000.00.00.H56', pcode: '', name: 'Ủy ban nhân dân tỉnh Bình Sơn', email: 'vanthu@binhson.gov.vn', locked: false },
  { code: '000.01.00.H56', pcode: '000.00.00.H56', name: 'Sở Xây dựng tỉnh Bình Sơn', email: 'sxd@binhson.gov.vn', locked: false },
  { code: '000.00.00.G22', pcode: '', name: 'Văn phòng Chính phủ', email: 'vpcp@gov.vn', locked: false },
  { code: '000.00.00.H41', pcode: '', name: 'UBND Tỉnh Nghệ An', email: 'nghean@gov.vn', locked: false },
  { code: '000.00.00.H14', pcode: '', name: 'UBND Tỉnh Cao Bằng', email: 'caobang@gov.vn', locked: false },
  { code: '000.00.00.G17', pcode: '', name: 'Sở Thông tin truyền thông Hải Phòng', email: 'stttt@haiphong.gov.vn', locked: false },
  { code: '002.00.20.H13', pcode: '', name: 'UBND xã Hòa Tiến - UBND huyện Hòa Vang - Thành phố Đà Nẵng', email: 'hoatien@danang.gov.vn', locked: false },
  { code: '28.22.H17', pcode: '', name: 'UBND xã Hòa Sơn - UBND huyện Hòa Vang - Thành phố Đà Nẵng', email: 'hoason@danang.gov.vn', locked: false },
  { code: '000.00.00.H62', pcode: '', name: 'UBND tỉnh Tây Lâm (tạm khóa liên thông)', email: 'vanthu@taylam.gov.vn', locked: true },
]

export const SYSTEMS: readonly SandboxSystem[] = [
  { systemId: 'sandbox-h56', secretKey: 'sandbox-h56-secret', agencies: ['000.00.00.H56'] },
  { systemId: 'sandbox-h56-sxd', secretKey: 'sandbox-h56-sxd-secret', agencies: ['000.01.00.H56'] },
  { systemId: 'sandbox-g22', secretKey: 'sandbox-g22-secret', agencies: ['000.00.00.G22'] },
  { systemId: 'sandbox-h41', secretKey: 'sandbox-h41-secret', agencies: ['000.00.00.H41'] },
  { systemId: 'sandbox-h14', secretKey: 'sandbox-h14-secret', agencies: ['000.00.00.H14'] },
  { systemId: 'sandbox-g17', secretKey: 'sandbox-g17-secret', agencies: ['000.00.00.G17'] },
  // One system for two communes: lists cover both, `to` tells them apart.
  { systemId: 'sandbox-danang', secretKey: 'sandbox-danang-secret', agencies: ['002.00.20.H13', '28.22.H17'] },
]

/** OAuth2 client of the façade's token endpoint (NATIONAL-ENDPOINTS §6). */
export const OAUTH_CLIENT = { clientId: 'sandbox', clientSecret: 'sandbox' }
