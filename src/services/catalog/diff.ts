/**
 * Field-level diff of two versions of a procedure.
 *
 * ## Path convention
 * A path names the changed value from the procedure root:
 * - a property is its name, nested properties are joined with `.`:
 *   `name`, `agencies.implementing`;
 * - an element of a keyed list is `list[key]`, where key is the element's natural key
 *   (table below) **as it was before** the change; nested lists continue the path:
 *   `components[Trường hợp 1].documents[GT-001].code`,
 *   `channels[online].durations[Ngày làm việc].fees[LP-01].amount`;
 * - inside a key, `\` and `]` are escaped with a backslash;
 * - when elements of one list share a key, each gets `#` plus its pairing value (below)
 *   if that tells them apart (`results[KQ.G05.000001#Giấy phép]`), else `#1`, `#2`… in
 *   list order; real catalogs rarely do this, the seeded one never;
 * - lists of plain codes (`related`, `linked`) use the code as key: `related[1.000123]`.
 *
 * | list | key | paired by, when the key itself changed |
 * | --- | --- | --- |
 * | `level`, `fields`, `subjects`, `agencies.*` | `code` (else `name`) | `name` |
 * | `cases` | `name` | (none) |
 * | `cases[].steps` | ordered: the whole list is one value | |
 * | `channels` | `channel` | (none) |
 * | `channels[].durations` | `unit` (else `description`) | `description` |
 * | `…durations[].fees` | `code` (else `description`) | `description` |
 * | `components` | `case` | (none) |
 * | `components[].documents` | `code` (else `name`) | `name` |
 * | `results` | `code` (else `name`) | `name` |
 * | `legalBases` | `number` (else `name`) | `name` |
 *
 * Identical elements are matched first, wherever they sit (keys and `#` suffixes are
 * computed on the whole lists). An element whose key changed but which pairs with one on the other side (same
 * document name, result name, …) is reported as changes of its properties, e.g. one
 * `{path: 'components[Trường hợp 1].documents[GT-001].code', kind: 'changed',
 * before: 'GT-001', after: 'GT-009'}`; otherwise it is one `removed` plus one `added`
 * change carrying the whole element. Order within keyed lists is ignored (a reorder
 * alone reports nothing); order of `steps` is not. Changes come out in a stable order:
 * properties in model order, list elements by key.
 */
import { canonicalJson } from '../../mappings/dvcqg/catalog/canonical-hash.js'
import type { Procedure } from '../../mappings/dvcqg/catalog/types.js'

/** One changed value. `before` is absent for `added`, `after` for `removed`. */
export interface FieldChange {
  path: string
  kind: 'added' | 'removed' | 'changed'
  before?: unknown
  after?: unknown
}

type KeyFn = (item: Record<string, unknown>) => string

type Spec = { type: 'value' } | { type: 'object'; fields: Record<string, Spec> } | { type: 'list'; key: KeyFn; pairBy?: KeyFn; item: Spec } | { type: 'codes' }

const value: Spec = { type: 'value' }
const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v))
const firstOf =
  (...names: string[]): KeyFn =>
  (item) => {
    for (const n of names) {
      const s = str(item[n])
      if (s !== '') return s
    }
    return ''
  }
const prop =
  (name: string): KeyFn =>
  (item) =>
    str(item[name])

const codeNameList: Spec = {
  type: 'list',
  key: firstOf('code', 'name'),
  pairBy: prop('name'),
  item: { type: 'object', fields: { code: value, name: value } },
}

const feeSpec: Spec = {
  type: 'object',
  fields: { code: value, amount: value, currency: value, description: value },
}

/** The shape of a {@link Procedure}, as the diff walks it. Unknown properties diff as values. */
const PROCEDURE: Spec = {
  type: 'object',
  fields: {
    code: value,
    id: value,
    name: value,
    publishingAgencyCode: value,
    kind: value,
    status: value,
    keywords: value,
    decisionId: value,
    decision: value,
    requirements: value,
    subjectDescription: value,
    receivingAddress: value,
    level: codeNameList,
    fields: codeNameList,
    subjects: codeNameList,
    cases: {
      type: 'list',
      key: prop('name'),
      item: { type: 'object', fields: { name: value, steps: value } },
    },
    channels: {
      type: 'list',
      key: prop('channel'),
      item: {
        type: 'object',
        fields: {
          channel: value,
          durations: {
            type: 'list',
            key: firstOf('unit', 'description'),
            pairBy: prop('description'),
            item: {
              type: 'object',
              fields: {
                amount: value,
                unit: value,
                description: value,
                fees: { type: 'list', key: firstOf('code', 'description'), pairBy: prop('description'), item: feeSpec },
              },
            },
          },
        },
      },
    },
    components: {
      type: 'list',
      key: prop('case'),
      item: {
        type: 'object',
        fields: {
          case: value,
          documents: {
            type: 'list',
            key: firstOf('code', 'name'),
            pairBy: prop('name'),
            item: {
              type: 'object',
              fields: {
                code: value,
                name: value,
                replacementResultCode: value,
                originals: value,
                copies: value,
                templateName: value,
                url: value,
              },
            },
          },
        },
      },
    },
    results: {
      type: 'list',
      key: firstOf('code', 'name'),
      pairBy: prop('name'),
      item: { type: 'object', fields: { code: value, name: value, fileName: value, url: value } },
    },
    legalBases: {
      type: 'list',
      key: firstOf('number', 'name'),
      pairBy: prop('name'),
      item: {
        type: 'object',
        fields: { number: value, name: value, issuer: value, issuedOn: value, effectiveOn: value, url: value },
      },
    },
    agencies: {
      type: 'object',
      fields: { implementing: codeNameList, competent: codeNameList, authorized: codeNameList, coordinating: codeNameList },
    },
    related: { type: 'codes' },
    linked: { type: 'codes' },
  },
}

/** Escape a list key for use inside `[...]` in a path. */
export function escapeKey(key: string): string {
  return key.replace(/[\\\]]/g, (c) => `\\${c}`)
}

const join = (base: string, name: string): string => (base === '' ? name : `${base}.${name}`)
const at = (base: string, key: string): string => `${base}[${escapeKey(key)}]`
/** Equal as values; `key` keeps ordered lists (`steps`) ordered. */
const same = (a: unknown, b: unknown, key: string): boolean => canonicalJson(a, key) === canonicalJson(b, key)
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const byKey = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

function walk(spec: Spec, path: string, key: string, before: unknown, after: unknown, out: FieldChange[]): void {
  if (before === undefined && after === undefined) return
  if (before === undefined) {
    out.push({ path, kind: 'added', after })
    return
  }
  if (after === undefined) {
    out.push({ path, kind: 'removed', before })
    return
  }
  if (spec.type === 'object' && isObj(before) && isObj(after)) {
    const known = Object.keys(spec.fields)
    const extra = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => !known.includes(k)).sort(byKey)
    for (const k of [...known, ...extra]) walk(spec.fields[k] ?? value, join(path, k), k, before[k], after[k], out)
    return
  }
  if (spec.type === 'list' && Array.isArray(before) && Array.isArray(after)) {
    diffList(spec, path, before, after, out)
    return
  }
  if (spec.type === 'codes' && Array.isArray(before) && Array.isArray(after)) {
    const b = new Set(before.map(str))
    const a = new Set(after.map(str))
    for (const k of [...new Set([...b, ...a])].sort(byKey)) {
      if (!a.has(k)) out.push({ path: at(path, k), kind: 'removed', before: k })
      else if (!b.has(k)) out.push({ path: at(path, k), kind: 'added', after: k })
    }
    return
  }
  if (!same(before, after, key)) out.push({ path, kind: 'changed', before, after })
}

/**
 * Key every element. Elements sharing a key are told apart by their pairing value
 * (`#<name>`) when that is unique among them, else by `#1`, `#2`… in list order.
 */
function keyed(items: unknown[], key: KeyFn, pairBy: KeyFn | undefined): Map<string, Record<string, unknown>> {
  const objs = items.filter(isObj)
  const groups = new Map<string, Record<string, unknown>[]>()
  for (const o of objs) {
    const k = key(o)
    groups.set(k, [...(groups.get(k) ?? []), o])
  }
  const out = new Map<string, Record<string, unknown>>()
  for (const [k, group] of groups) {
    if (group.length === 1) {
      out.set(k, group[0] as Record<string, unknown>)
      continue
    }
    const names = pairBy ? group.map(pairBy) : []
    if (names.length > 0 && names.every((n, i) => n !== '' && names.indexOf(n) === i)) {
      group.forEach((o, i) => out.set(`${k}#${names[i] ?? ''}`, o))
      continue
    }
    // list position: stable when duplicates change in place (a pure reorder of
    // unchanged elements never gets here, identical elements are matched first)
    group.forEach((o, i) => out.set(`${k}#${i + 1}`, o))
  }
  return out
}

function diffList(spec: Extract<Spec, { type: 'list' }>, path: string, before: unknown[], after: unknown[], out: FieldChange[]): void {
  // keys come from the whole lists; then identical elements match first, wherever they
  // sit, so a reorder or a vanished duplicate says nothing about the unchanged elements
  const b = keyed(before, spec.key, spec.pairBy)
  const a = keyed(after, spec.key, spec.pairBy)
  const spare = new Map<string, string[]>()
  for (const [k, item] of a) {
    const c = canonicalJson(item)
    spare.set(c, [...(spare.get(c) ?? []), k])
  }
  for (const [k, item] of [...b]) {
    const ks = spare.get(canonicalJson(item))
    const ka = ks?.includes(k) ? k : ks?.[0] // prefer the same key
    if (ks === undefined || ka === undefined) continue
    ks.splice(ks.indexOf(ka), 1)
    b.delete(k)
    a.delete(ka)
  }
  // [sort key, before key, before item, after item]
  const pairs: [string, Record<string, unknown> | undefined, Record<string, unknown> | undefined][] = []
  const goneB = new Map<string, Record<string, unknown>>()
  const newA = new Map<string, Record<string, unknown>>()
  for (const [k, item] of b) {
    const other = a.get(k)
    if (other) pairs.push([k, item, other])
    else goneB.set(k, item)
  }
  for (const [k, item] of a) if (!b.has(k)) newA.set(k, item)

  if (spec.pairBy && goneB.size > 0 && newA.size > 0) {
    const pairBy = spec.pairBy
    const index = (m: Map<string, Record<string, unknown>>): Map<string, string | null> => {
      const idx = new Map<string, string | null>()
      for (const [k, item] of m) {
        const p = pairBy(item)
        if (p === '') continue
        idx.set(p, idx.has(p) ? null : k) // null marks an ambiguous pairing value
      }
      return idx
    }
    const ib = index(goneB)
    const ia = index(newA)
    for (const [p, kb] of ib) {
      const ka = ia.get(p)
      if (kb == null || ka == null) continue
      pairs.push([kb, goneB.get(kb), newA.get(ka)])
      goneB.delete(kb)
      newA.delete(ka)
    }
  }
  for (const [k, item] of goneB) pairs.push([k, item, undefined])
  for (const [k, item] of newA) pairs.push([k, undefined, item])
  pairs.sort((x, y) => byKey(x[0], y[0]) || (x[1] ? -1 : 1))
  for (const [k, bi, ai] of pairs) walk(spec.item, at(path, k), '', bi, ai, out)
}

/**
 * Field-level changes from `before` to `after` (see the module doc for the path
 * convention). Identical procedures, or ones that differ only by the order of
 * unordered lists, give `[]`.
 */
export function diffProcedures(before: Procedure, after: Procedure): FieldChange[] {
  // the common case in a sync (nothing changed) costs one canonical serialization each
  if (canonicalJson(before) === canonicalJson(after)) return []
  const out: FieldChange[] = []
  walk(PROCEDURE, '', '', before, after, out)
  return out
}
