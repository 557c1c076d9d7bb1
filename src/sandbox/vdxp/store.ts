import { createHash, randomUUID } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { CheckedEdxml } from './edxml-check.js'

/**
 * What the sandbox axis holds: every accepted message, one delivery per receiving
 * agency with its transport status (initial → processing → done | fail), and counts
 * for tests. Message bytes are spooled to a private temporary folder, so a run of a
 * thousand 300 KB documents does not sit in the process's memory.
 */

export type TransportStatus = 'initial' | 'processing' | 'done' | 'fail'
export type AckStatus = Exclude<TransportStatus, 'initial'>

export interface Delivery {
  organId: string
  status: TransportStatus
  statusDesc: string
  updatedAt: number
  acks: Record<AckStatus, number>
  /** `updateStatus done` received again after the delivery was already done. */
  repeatedDone: number
  gets: number
  listed: number
}

export interface StoredMessage {
  docId: string
  messageType: 'edoc' | 'status'
  from: string
  fromName: string
  senderSystem: string
  createdAt: number
  size: number
  sha256: string
  code: string
  subject: string
  documentId: string
  businessDocType?: 0 | 1 | 2 | 3
  statusCode?: string
  attachmentCount: number
  deliveries: Delivery[]
}

export const STATUS_DESC: Record<TransportStatus, string> = {
  initial: 'Chờ nhận',
  processing: 'Đang xử lý',
  done: 'Đã nhận thành công',
  fail: 'Nhận lỗi',
}

const VN_OFFSET_MS = 7 * 3600_000
const pad = (n: number) => String(n).padStart(2, '0')

/** `yyyy/MM/dd HH:mm:ss` in Vietnam time (UTC+7), as the axis writes times. */
export function vnTime(ms: number): string {
  const d = new Date(ms + VN_OFFSET_MS)
  return `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
}

/** Start (ms) of a Vietnam calendar day given as `YYYY/MM/DD`, or undefined when it is not one. */
export function vnDayStart(day: string): number | undefined {
  const m = /^(\d{4})\/(\d{2})\/(\d{2})$/.exec(day)
  if (!m) return undefined
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const t = Date.UTC(y, mo - 1, d)
  const check = new Date(t)
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return undefined
  return t - VN_OFFSET_MS
}

const spools = new Set<string>()
let exitHook = false

export class AxisStore {
  private messages = new Map<string, StoredMessage>()
  /** In arrival order, for windowed lists. */
  private order: StoredMessage[] = []
  private dir?: string
  /** sender|sha256 → times the same bytes were sent. */
  private contentSeen = new Map<string, number>()
  /** The same message in substance sent again (sender, kind, document id, business type or status code, receivers). */
  private logicalSeen = new Map<string, number>()
  readonly refused: Record<string, number> = {}

  private spool(): string {
    if (!this.dir) {
      this.dir = mkdtempSync(join(tmpdir(), 'lgsp-vdxp-sim-'))
      spools.add(this.dir)
      if (!exitHook) {
        exitHook = true
        process.once('exit', () => {
          for (const d of spools) rmSync(d, { recursive: true, force: true })
        })
      }
    }
    return this.dir
  }

  add(bytes: Buffer, doc: CheckedEdxml, senderSystem: string, now: number): StoredMessage {
    const docId = randomUUID()
    writeFileSync(join(this.spool(), docId), bytes)
    const sha256 = createHash('sha256').update(bytes).digest('hex')
    const key = `${doc.from.organId}|${sha256}`
    this.contentSeen.set(key, (this.contentSeen.get(key) ?? 0) + 1)
    const what = doc.kind === 'edoc' ? `${doc.documentId || doc.code}|${doc.businessDocType ?? 0}` : `${doc.documentId}|${doc.statusCode ?? ''}`
    const logical = [doc.from.organId, doc.kind, what, [...new Set(doc.to)].sort().join(',')].join('|')
    this.logicalSeen.set(logical, (this.logicalSeen.get(logical) ?? 0) + 1)
    const msg: StoredMessage = {
      docId,
      messageType: doc.kind,
      from: doc.from.organId,
      fromName: doc.from.organName,
      senderSystem,
      createdAt: now,
      size: bytes.length,
      sha256,
      code: doc.code,
      subject: doc.subject,
      documentId: doc.documentId,
      ...(doc.businessDocType !== undefined ? { businessDocType: doc.businessDocType } : {}),
      ...(doc.statusCode ? { statusCode: doc.statusCode } : {}),
      attachmentCount: doc.attachments.length,
      deliveries: [...new Set(doc.to)].map((organId) => ({
        organId,
        status: 'initial' as const,
        statusDesc: STATUS_DESC.initial,
        updatedAt: now,
        acks: { done: 0, fail: 0, processing: 0 },
        repeatedDone: 0,
        gets: 0,
        listed: 0,
      })),
    }
    this.messages.set(docId, msg)
    this.order.push(msg)
    return msg
  }

  refuse(code: number): void {
    this.refused[String(code)] = (this.refused[String(code)] ?? 0) + 1
  }

  get(docId: string): StoredMessage | undefined {
    return this.messages.get(docId)
  }

  bytes(msg: StoredMessage): Buffer {
    return readFileSync(join(this.spool(), msg.docId))
  }

  /** Messages created in [from, to) (ms), in arrival order. */
  window(from: number, to: number): StoredMessage[] {
    return this.order.filter((m) => m.createdAt >= from && m.createdAt < to)
  }

  all(): readonly StoredMessage[] {
    return this.order
  }

  /** Messages whose exact bytes the same sender had already sent (what a hub retrying blindly produces). */
  duplicates(): { from: string; sha256: string; times: number }[] {
    const out: { from: string; sha256: string; times: number }[] = []
    for (const [k, times] of this.contentSeen) {
      if (times < 2) continue
      const [from, sha256] = k.split('|') as [string, string]
      out.push({ from, sha256, times })
    }
    return out
  }

  /** Messages sent again in substance (same sender, kind, document id, business type or status code and receivers). */
  logicalDuplicates(): { key: string; times: number }[] {
    return [...this.logicalSeen].filter(([, times]) => times > 1).map(([key, times]) => ({ key, times }))
  }

  clear(): void {
    this.logicalSeen.clear()
    this.messages.clear()
    this.order = []
    this.contentSeen.clear()
    for (const k of Object.keys(this.refused)) delete this.refused[k]
    if (this.dir) {
      rmSync(this.dir, { recursive: true, force: true })
      spools.delete(this.dir)
      this.dir = undefined
    }
  }
}
