import { describe, expect, it } from 'vitest'
import {
  CompactTree,
  EMPTY_ROOT,
  consistencyProof,
  inclusionProof,
  leafHash,
  rootFromInclusionProof,
  rootHash,
  verifyConsistency,
  verifyInclusion,
} from '../../src/audit/merkle.js'

/*
 * Reference vectors of the RFC 6962 tree, copied from transparency-dev/merkle
 * (https://github.com/transparency-dev/merkle, testonly/constants.go: LeafInputs, RootHashes,
 * and testonly/reference_test.go: TestRefInclusionProof, TestRefConsistencyProof).
 */
const hd = (h: string) => Buffer.from(h, 'hex')
const LEAF_INPUTS = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(hd)
const ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
]
const INCLUSION: { index: number; size: number; path: string[] }[] = [
  { index: 0, size: 1, path: [] },
  { index: 0, size: 2, path: ['96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7'] },
  { index: 1, size: 2, path: ['6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d'] },
  { index: 2, size: 3, path: ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125'] },
  {
    index: 1,
    size: 5,
    path: [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
  {
    index: 0,
    size: 8,
    path: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    index: 5,
    size: 8,
    path: [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
]
const CONSISTENCY: { size1: number; size2: number; proof: string[] }[] = [
  { size1: 1, size2: 1, proof: [] },
  {
    size1: 1,
    size2: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    size1: 2,
    size2: 5,
    proof: ['5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b'],
  },
  {
    size1: 6,
    size2: 8,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
]

const leaves = LEAF_INPUTS.map(leafHash)
const hex = (bs: Buffer[]) => bs.map((b) => b.toString('hex'))

describe('RFC 6962 Merkle tree (transparency-dev reference vectors)', () => {
  it('the empty tree hashes to SHA-256 of nothing', () => {
    expect(EMPTY_ROOT.toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
  })

  it('MTH of the first n reference leaves, for n = 0…8, recursively and with the compact tree', () => {
    const compact = new CompactTree()
    for (let n = 0; n <= 8; n++) {
      expect(rootHash(leaves.slice(0, n)).toString('hex')).toBe(ROOTS[n])
      expect(compact.root().toString('hex')).toBe(ROOTS[n])
      if (n < 8) compact.append(leaves[n]!)
    }
  })

  it.each(INCLUSION)('inclusion proof of leaf $index in a tree of $size', ({ index, size, path }) => {
    const got = inclusionProof(leaves.slice(0, size), index)
    expect(hex(got)).toEqual(path)
    expect(verifyInclusion(leaves[index]!, index, size, path.map(hd), hd(ROOTS[size]!))).toBe(true)
  })

  it('every leaf of every reference tree proves, and a wrong leaf, index, size or sibling does not', () => {
    for (let size = 1; size <= 8; size++) {
      for (let i = 0; i < size; i++) {
        const path = inclusionProof(leaves.slice(0, size), i)
        const root = hd(ROOTS[size]!)
        expect(verifyInclusion(leaves[i]!, i, size, path, root)).toBe(true)
        expect(verifyInclusion(leaves[(i + 1) % 8]!, i, size, path, root)).toBe(false)
        if (size > 1) expect(verifyInclusion(leaves[i]!, (i + 1) % size, size, path, root)).toBe(false)
        expect(rootFromInclusionProof(leaves[i]!, i, size + 8, path)).toBeNull()
        if (path.length) {
          const bad = path.map((p, k) => (k === 0 ? leafHash(Buffer.from('x')) : p))
          expect(verifyInclusion(leaves[i]!, i, size, bad, root)).toBe(false)
        }
      }
    }
  })

  it.each(CONSISTENCY)('consistency proof from $size1 to $size2', ({ size1, size2, proof }) => {
    expect(hex(consistencyProof(leaves.slice(0, size2), size1))).toEqual(proof)
    expect(verifyConsistency(size1, size2, hd(ROOTS[size1]!), hd(ROOTS[size2]!), proof.map(hd))).toBe(true)
  })

  it('consistency proofs between every pair of reference trees verify; a tree that is not a prefix does not', () => {
    for (let m = 1; m <= 8; m++) {
      for (let n = m; n <= 8; n++) {
        const p = consistencyProof(leaves.slice(0, n), m)
        expect(verifyConsistency(m, n, hd(ROOTS[m]!), hd(ROOTS[n]!), p)).toBe(true)
        if (m < n) expect(verifyConsistency(m, n, hd(ROOTS[m === 1 ? 2 : m - 1]!), hd(ROOTS[n]!), p)).toBe(false)
      }
    }
  })
})
