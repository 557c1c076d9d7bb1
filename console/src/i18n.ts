/** Interface text: Vietnamese by default, English on request (kept in localStorage). */
export type Lang = 'vi' | 'en'
const KEY = 'lgsp-console-lang'

import { en, vi, type Key } from './text.js'

export type { Key } from './text.js'

let lang: Lang = read()

function read(): Lang {
  try {
    return localStorage.getItem(KEY) === 'en' ? 'en' : 'vi'
  } catch {
    return 'vi'
  }
}

export const getLang = (): Lang => lang

export function setLang(l: Lang): void {
  lang = l
  try {
    localStorage.setItem(KEY, l)
  } catch {
    // Private mode: the choice lasts for this page only.
  }
  document.documentElement.lang = l
}

/** The text of `key` in the current language, `{name}` replaced from params. */
export function t(key: Key, params: Record<string, string | number> = {}): string {
  const s: string = lang === 'en' ? en[key] : vi[key]
  return s.replace(/\{(\w+)\}/g, (_, k: string) => String(params[k] ?? ''))
}

export const fmtNum = (n: number | null | undefined, digits = 0): string =>
  n === null || n === undefined ? '—' : n.toLocaleString(lang === 'en' ? 'en-GB' : 'vi-VN', { maximumFractionDigits: digits })

export const fmtPct = (r: number | null | undefined): string => (r === null || r === undefined ? '—' : `${fmtNum(r * 100, 1)} %`)

export function fmtTime(iso: string | null | undefined): string {
  if (!iso) return '—'
  const d = new Date(iso)
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(lang === 'en' ? 'en-GB' : 'vi-VN', { timeZone: 'Asia/Ho_Chi_Minh' })
}

/** A duration in seconds as "2 h 5 min" / "40 s". */
export function fmtAge(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '—'
  const s = Math.round(seconds)
  if (s < 60) return `${s} s`
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`
  const hrs = Math.floor(s / 3600)
  return hrs < 48 ? `${hrs} h ${Math.floor((s % 3600) / 60)} min` : `${Math.floor(hrs / 24)} d ${hrs % 24} h`
}
