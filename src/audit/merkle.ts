import { hash } from 'node:crypto'

/**
 * RFC 6962 §2.1 Merkle hash trees (SHA-256), as used by Certificate Transparency:
 * leaf hash = SHA-256(0x00 || data), interior node = SHA-256(0x01 || left || right), the empty
 * tree hashes to SHA-256(""). A tree of n leaves splits at k, the largest power of two < n.
 * Hashes are Buffers of 32 bytes; leaves are given by their leaf hashes (`leafHash(data)`).
 */

const LEAF = Buffer.from([0])
const NODE = Buffer.from([1])

// One-shot hashing (crypto.hash) is markedly cheaper than createHash for these small inputs.
export const sha256 = (...parts: Uint8Array[]): Buffer => hash('sha256', parts.length === 1 ? parts[0]! : Buffer.concat(parts), 'buffer')

export const EMPTY_ROOT = sha256()
export const leafHash = (data: Uint8Array): Buffer => sha256(LEAF, data)
export const nodeHash = (left: Uint8Array, right: Uint8Array): Buffer => sha256(NODE, left, right)

/** Largest power of two strictly smaller than n (n ≥ 2). */
function split(n: number): number {
  let k = 1
  while (k * 2 < n) k *= 2
  return k
}

/** MTH(D[n]) over leaf hashes. */
export function rootHash(leaves: readonly Buffer[], from = 0, to = leaves.length): Buffer {
  const n = to - from
  if (n === 0) return EMPTY_ROOT
  if (n === 1) return leaves[from]!
  const k = split(n)
  return nodeHash(rootHash(leaves, from, from + k), rootHash(leaves, from + k, to))
}

/** PATH(m, D[n]) of RFC 6962 §2.1.1: the audit path of leaf `index` in the tree of the given leaves, leaf to root. */
export function inclusionProof(leaves: readonly Buffer[], index: number, from = 0, to = leaves.length): Buffer[] {
  const n = to - from
  if (index < 0 || index >= n) throw new RangeError(`leaf ${index} is outside a tree of ${n}`)
  if (n === 1) return []
  const k = split(n)
  return index < k
    ? [...inclusionProof(leaves, index, from, from + k), rootHash(leaves, from + k, to)]
    : [...inclusionProof(leaves, index - k, from + k, to), rootHash(leaves, from, from + k)]
}

/** Root computed from a leaf hash and its audit path (RFC 9162 §2.1.3.2); `null` when the path has the wrong length. */
export function rootFromInclusionProof(leaf: Uint8Array, index: number, treeSize: number, path: readonly Uint8Array[]): Buffer | null {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(treeSize) || index < 0 || index >= treeSize) return null
  let fn = index
  let sn = treeSize - 1
  let r: Buffer = Buffer.from(leaf)
  for (const p of path) {
    if (sn === 0) return null
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r)
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2)
          sn = Math.floor(sn / 2)
        }
      }
    } else {
      r = nodeHash(r, p)
    }
    fn = Math.floor(fn / 2)
    sn = Math.floor(sn / 2)
  }
  return sn === 0 ? r : null
}

export function verifyInclusion(leaf: Uint8Array, index: number, treeSize: number, path: readonly Uint8Array[], root: Uint8Array): boolean {
  const r = rootFromInclusionProof(leaf, index, treeSize, path)
  return r !== null && r.equals(root)
}

/** PROOF(m, D[n]) of RFC 6962 §2.1.2: proves the tree of the first m leaves is a prefix of the tree of n leaves. */
export function consistencyProof(leaves: readonly Buffer[], m: number, n = leaves.length): Buffer[] {
  if (m < 0 || m > n || n > leaves.length) throw new RangeError(`no consistency proof from ${m} to ${n}`)
  if (m === 0 || m === n) return []
  const sub = (m: number, from: number, to: number, b: boolean): Buffer[] => {
    const size = to - from
    if (m === size) return b ? [] : [rootHash(leaves, from, to)]
    const k = split(size)
    return m <= k ? [...sub(m, from, from + k, b), rootHash(leaves, from + k, to)] : [...sub(m - k, from + k, to, false), rootHash(leaves, from, from + k)]
  }
  return sub(m, 0, n, true)
}

/** Checks a consistency proof between two roots (RFC 9162 §2.1.4.2). */
export function verifyConsistency(size1: number, size2: number, root1: Uint8Array, root2: Uint8Array, proof: readonly Uint8Array[]): boolean {
  if (size1 < 0 || size2 < size1) return false
  if (size1 === size2) return proof.length === 0 && Buffer.from(root1).equals(root2)
  if (size1 === 0) return proof.length === 0
  if (proof.length === 0) return false
  let path = [...proof]
  // A power-of-two first tree is itself a node of the second: its root is the first step.
  if ((size1 & (size1 - 1)) === 0) path = [root1, ...path]
  let fn = size1 - 1
  let sn = size2 - 1
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2)
    sn = Math.floor(sn / 2)
  }
  let fr: Buffer = Buffer.from(path[0]!)
  let sr: Buffer = Buffer.from(path[0]!)
  for (const c of path.slice(1)) {
    if (sn === 0) return false
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr)
      sr = nodeHash(c, sr)
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2)
          sn = Math.floor(sn / 2)
        }
      }
    } else {
      sr = nodeHash(sr, c)
    }
    fn = Math.floor(fn / 2)
    sn = Math.floor(sn / 2)
  }
  return sn === 0 && fr.equals(root1) && sr.equals(root2)
}

/**
 * An append-only tree kept as its perfect subtrees, left to right (a "compact range"): O(log n)
 * hashes per append and the RFC 6962 root of the current size at any time, so the chain head
 * can carry the Merkle root of the whole log without re-reading it.
 */
export class CompactTree {
  constructor(
    public size = 0,
    /** Roots of the perfect subtrees whose sizes are the set bits of `size`, largest first. */
    public readonly nodes: Buffer[] = [],
  ) {}

  static fromHex(size: number, nodes: readonly string[]): CompactTree {
    return new CompactTree(
      size,
      nodes.map((h) => Buffer.from(h, 'hex')),
    )
  }

  append(leaf: Buffer): void {
    let node = leaf
    let s = this.size
    // Each trailing 1-bit of the old size is a subtree of equal size to merge with.
    while (s % 2 === 1) {
      node = nodeHash(this.nodes.pop()!, node)
      s = Math.floor(s / 2)
    }
    this.nodes.push(node)
    this.size++
  }

  root(): Buffer {
    if (this.nodes.length === 0) return EMPTY_ROOT
    let r = this.nodes[this.nodes.length - 1]!
    for (let i = this.nodes.length - 2; i >= 0; i--) r = nodeHash(this.nodes[i]!, r)
    return r
  }

  toHex(): string[] {
    return this.nodes.map((n) => n.toString('hex'))
  }
}
