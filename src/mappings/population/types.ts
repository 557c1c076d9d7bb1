import type { CodedValue } from './codes.js'

/** An address block (NoiDangKyKhaiSinh, QueQuan, ThuongTru, NoiOHienTai); empty parts are left out. */
export interface CitizenAddress {
  readonly provinceCode?: string
  readonly districtCode?: string
  readonly wardCode?: string
  /** Street, house number, hamlet: free text as registered. */
  readonly detail?: string
  readonly country?: string
}

/** A relative (Cha, Me, VoChong) or legal representative (NguoiDaiDien). */
export interface CitizenRelative {
  readonly fullName: string
  readonly idNumber?: string
  readonly oldIdNumber?: string
  readonly nationality?: CodedValue
}

/** The head of the household (ChuHo) and the subject's relation to them. */
export interface HouseholdHead {
  readonly relation?: string
  readonly fullName: string
  readonly idNumber?: string
  readonly oldIdNumber?: string
}

/** Date of birth: the year is always known; the full date only when the register has it. */
export interface BirthDate {
  readonly year: number
  /** `YYYY-MM-DD`. */
  readonly date?: string
}

/**
 * One citizen as the hub exposes them, translated from a population-database
 * `CongDan`. Name parts are only present when the register sent them separately;
 * `fullName` is always set. Coded fields are `null` when the register sent nothing.
 */
export interface Citizen {
  /** The 12-digit personal identification number (SoDinhDanh). */
  readonly idNumber: string
  /** The old 9- or 12-digit CMND (SoCMND). */
  readonly oldIdNumber?: string
  readonly fullName: string
  readonly familyName?: string
  readonly middleName?: string
  readonly givenName?: string
  readonly gender: CodedValue | null
  readonly ethnicity: CodedValue | null
  readonly religion: CodedValue | null
  readonly nationality: CodedValue | null
  readonly maritalStatus?: CodedValue
  readonly bloodType?: CodedValue
  readonly birthDate: BirthDate | null
  readonly birthRegistrationPlace?: CitizenAddress
  readonly hometown?: CitizenAddress
  readonly permanentAddress?: CitizenAddress
  readonly currentAddress?: CitizenAddress
  readonly father?: CitizenRelative
  readonly mother?: CitizenRelative
  readonly spouse?: CitizenRelative
  readonly representative?: CitizenRelative
  readonly householdHead?: HouseholdHead
  readonly householdBookNumber?: string
}
