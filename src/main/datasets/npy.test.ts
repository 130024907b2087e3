import { strToU8, zipSync } from 'fflate'
import { describe, expect, it } from 'vitest'
import { DatasetFileError } from './idx'
import { readNpy, readNpz, writeNpy } from './npy'

const CASES = [
  ['|u1', new Uint8Array([0, 7, 255, 3, 4, 5])],
  ['<i4', new Int32Array([-5, 0, 7, 2147483647, 1, 2])],
  ['<i8', new BigInt64Array([-5n, 0n, 7n, 9007199254740993n, 1n, 2n])],
  ['<f4', new Float32Array([0.5, -1.5, 3.25, 0, 1e-3, 7])],
  ['<f8', new Float64Array([0.1, -2.5, 1e300, 0, 4, 5])],
] as const

describe('npy and npz readers', () => {
  it.each(CASES)('reads %s arrays back', (descr, data) => {
    const r = readNpy(writeNpy([2, 3], data, descr))
    expect(r.shape).toEqual([2, 3])
    expect(r.dtype).toBe(descr)
    expect(Array.from(r.data as ArrayLike<number | bigint>)).toEqual(
      Array.from(data as ArrayLike<number | bigint>),
    )
  })

  it('reads header versions 2 and 3 (4-byte header length)', () => {
    const v1 = writeNpy([3], new Uint8Array([1, 2, 3]), '|u1')
    const headerLen = new DataView(v1.buffer).getUint16(8, true)
    for (const version of [2, 3]) {
      const v = new Uint8Array(v1.length + 2)
      v.set(v1.subarray(0, 8))
      v[6] = version
      new DataView(v.buffer).setUint32(8, headerLen, true)
      v.set(v1.subarray(10), 12)
      expect(Array.from(readNpy(v).data as Uint8Array)).toEqual([1, 2, 3])
    }
  })

  it('reads an npz, stored and deflated, with arrays by name', () => {
    const x = writeNpy([2, 2], new Uint8Array([1, 2, 3, 4]), '|u1')
    const y = writeNpy([2], new Int32Array([0, 1]), '<i4')
    for (const level of [0, 6] as const) {
      const npz = zipSync({
        'x_train.npy': [x, { level }],
        'y_train.npy': [y, { level }],
        'notes.txt': strToU8('hi'),
      })
      const r = readNpz(npz, 'mnist.npz')
      expect(Object.keys(r).sort()).toEqual(['x_train', 'y_train'])
      expect(Array.from(r.y_train!.data as Int32Array)).toEqual([0, 1])
    }
  })

  it('explains a truncated, tampered or unsupported file', () => {
    const x = writeNpy([100], new Float32Array(100), '<f4')
    expect(() => readNpy(x.subarray(0, x.length - 10), 'x.npy')).toThrow(
      'x.npy is truncated: it should hold 400 bytes of data, but has 390.',
    )
    const npz = zipSync({ 'x.npy': x })
    expect(() => readNpz(npz.subarray(0, 50), 'data.npz')).toThrow(
      /data.npz is not a readable .npz \(zip\) file/,
    )
    expect(() => readNpy(new Uint8Array(20), 'z.npy')).toThrow('z.npy is not a .npy file')
    expect(() => readNpy(writeNpy([1], new Uint8Array([0]), '|O'), 'o.npy')).toThrow(DatasetFileError)
    expect(() => readNpy(writeNpy([1], new Uint8Array(16), '<c16'), 'c.npy')).toThrow(
      'c.npy has the numpy dtype <c16',
    )
  })
})
