import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { readSharedMnist } from './testing'
import { DatasetFileError, readIdx, writeIdx } from './idx'
import { readIdxDataset } from './mnist'

describe('IDX reader', () => {
  it.each(['uint8', 'int32', 'float32'] as const)('reads back %s data, plain and gzipped', (type) => {
    const values = type === 'float32' ? [0.5, -1.25, 3, 7.75, 0, 2, 1, 9] : [0, 1, 2, 250, 7, 8, 9, 3]
    const file = writeIdx([2, 2, 2], values, type)
    for (const bytes of [file, gzipSync(file)]) {
      const r = readIdx(bytes)
      expect(r.shape).toEqual([2, 2, 2])
      expect(Array.from(r.data)).toEqual(values)
    }
  })

  it('says a truncated or damaged file is truncated or damaged', () => {
    const file = writeIdx([10, 4], new Array(40).fill(1))
    expect(() => readIdx(file.subarray(0, 30), 'images.idx')).toThrow(
      'images.idx is truncated: its header promises 10×4 uint8 values (52 bytes), but it has 30 bytes.',
    )
    const gz = gzipSync(file)
    expect(() => readIdx(gz.subarray(0, gz.length - 8), 'x.gz')).toThrow(/x.gz is not a valid gzip file/)
    expect(() => readIdx(new Uint8Array([1, 2, 3, 4]), 'y')).toThrow('y is not an IDX file')
    expect(() => readIdx(new Uint8Array([0, 0, 0x42, 1, 0, 0, 0, 1, 5]), 'z')).toThrow(DatasetFileError)
  })

  it('reads the real MNIST test set from ../shared', async () => {
    const d = await readSharedMnist()
    expect(d.sampleShape).toEqual([28, 28])
    expect(d.y.length).toBe(10_000)
    // The published test set: 980 zeros, 1,135 ones, … (LeCun et al.); the first label is a 7.
    const counts = new Array(10).fill(0)
    for (const y of d.y) counts[y]++
    expect(counts).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009])
    expect(d.y[0]).toBe(7)
    expect(Math.max(...d.x.subarray(0, 784)) * d.xScale!).toBe(1)
  })

  it('names the missing file', async () => {
    await expect(readIdxDataset('/nonexistent', { images: 'a.gz', labels: 'b.gz' }, 'x')).rejects.toThrow(
      'There is no file at /nonexistent/a.gz.',
    )
  })
})
