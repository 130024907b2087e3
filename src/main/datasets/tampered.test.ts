// Dataset files someone tampered with: every reader refuses them with what is wrong, instead of
// training on garbage, reading past the data, or filling memory.
import { zipSync } from 'fflate'
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { readCifar } from './cifar'
import { IDX_MAX_BYTES, readIdx, writeIdx } from './idx'
import { KERAS_DATASETS } from './keras'
import { readNpy, readNpz, writeNpy } from './npy'
import { previewDataset } from './preview'
import { loadAnyDataset } from './registry'

const tmp = () => mkdtempSync(join(tmpdir(), 'netwright-tampered-'))

/** A Keras cache holding mnist.npz with these arrays. */
function mnistCache(x: Uint8Array, xShape: number[], y: Uint8Array): string {
  const dir = tmp()
  writeFileSync(
    join(dir, 'mnist.npz'),
    zipSync({
      'x_train.npy': writeNpy(xShape, x, '|u1'),
      'y_train.npy': writeNpy([y.length], y, '|u1'),
      'x_test.npy': writeNpy([0, 28, 28], new Uint8Array(0), '|u1'),
      'y_test.npy': writeNpy([0], new Uint8Array(0), '|u1'),
    }),
  )
  return dir
}

/** A .npy file (version 1) whose header says `shape`, as text, over `body`. */
function npyWithShape(shape: string, body: Uint8Array, descr = '|u1'): Uint8Array {
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape}), }`
  const header = dict + ' '.repeat(63 - ((10 + dict.length) % 64)) + '\n'
  const out = new Uint8Array(10 + header.length + body.length)
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0])
  new DataView(out.buffer).setUint16(8, header.length, true)
  out.set(new TextEncoder().encode(header), 10)
  out.set(body, 10 + header.length)
  return out
}

describe('tampered dataset files', () => {
  it('a negative or nonsense npy shape is refused, not read', () => {
    const body = new Uint8Array(16)
    expect(() => readNpy(npyWithShape('-4, 4', body))).toThrow(
      /has the shape \(-4, 4\), which is not a list of sizes/,
    )
    expect(() => readNpy(npyWithShape('4, x', body))).toThrow(/not a list of sizes/)
    expect(() => readNpy(npyWithShape('99999999999, 99999', body))).toThrow(/more than any real dataset/)
    expect(() => readNpy(npyWithShape('2, 4', body))).toThrow(
      /holds 8 bytes more than its shape \(2×4\) says/,
    )
    expect(readNpy(npyWithShape('4, 4', body)).shape).toEqual([4, 4])
  })

  it('more images than labels (or the reverse) is refused', async () => {
    const dir = mnistCache(new Uint8Array(5 * 784), [5, 28, 28], new Uint8Array(4))
    await expect(loadAnyDataset('mnist', {}, 1, dir)).rejects.toThrow(
      /MNIST handwritten digits holds 3,920 values for 4 labels of \[28, 28\] \(3,136 expected\): its samples and labels do not match/,
    )
  })

  it('a label outside the classes is refused, naming the sample', async () => {
    const dir = mnistCache(new Uint8Array(3 * 784), [3, 28, 28], Uint8Array.from([1, 12, 3]))
    await expect(loadAnyDataset('mnist', {}, 1, dir)).rejects.toThrow(
      'MNIST handwritten digits: sample 2 has the label 12, but the classes are numbered 0 to 9. The file may be damaged.',
    )
  })

  it('NaN targets are refused (Boston Housing)', async () => {
    const dir = tmp()
    const x = new Float64Array(10 * 13).fill(1)
    const y = new Float64Array(10).fill(20)
    y[3] = NaN
    writeFileSync(
      join(dir, 'boston_housing.npz'),
      zipSync({ 'x.npy': writeNpy([10, 13], x, '<f8'), 'y.npy': writeNpy([10], y, '<f8') }),
    )
    await expect(loadAnyDataset('boston_housing', { standardize: false }, 1, dir)).rejects.toThrow(
      /Boston Housing prices: the target of sample \d+ is NaN, not a number/,
    )
  })

  it('CIFAR data shorter than its labels, or a label out of range, is refused', async () => {
    const batch = readFileSync(join(import.meta.dirname, 'fixtures', 'cifar-batch-p2.pkl'))
    const names = [
      'data_batch_1',
      'data_batch_2',
      'data_batch_3',
      'data_batch_4',
      'data_batch_5',
      'test_batch',
    ]
    const classes = KERAS_DATASETS.find((d) => d.id === 'cifar10')!.classes
    const stage = (bytes: Uint8Array) => {
      const dir = tmp()
      mkdirSync(join(dir, 'cifar-10-batches-py'))
      for (const b of names) writeFileSync(join(dir, 'cifar-10-batches-py', b), bytes)
      return dir
    }
    // The fixture's labels are the list [6, 9, 9] at bytes 126-131 (BININT1 6, 9, 9, then APPENDS).
    expect([...batch.subarray(126, 133)]).toEqual([0x4b, 6, 0x4b, 9, 0x4b, 9, 0x65])
    const oneMoreLabel = Buffer.concat([batch.subarray(0, 132), Buffer.from([0x4b, 1]), batch.subarray(132)])
    await expect(readCifar('cifar10', stage(oneMoreLabel), classes)).rejects.toThrow(
      'The CIFAR batch data_batch_1 holds 9216 pixel values for 4 labels (12288 expected): it is damaged.',
    )
    const badLabel = Buffer.from(batch)
    badLabel[127] = 42
    await expect(loadAnyDataset('cifar10', {}, 1, stage(badLabel))).rejects.toThrow(
      /CIFAR-10: sample \d+ has the label 42, but the classes are numbered 0 to 9/,
    )
  })

  it('IDX dimensions that are negative are refused', () => {
    const ok = writeIdx([2, 2], [1, 2, 3, 4])
    ok.set([0xff, 0xff, 0xff, 0xfe], 4) // first dimension -2
    expect(() => readIdx(ok)).toThrow(/has the dimensions \[-2, 2\], which no IDX file has/)
  })

  it('a gzip bomb stops at the limit instead of filling memory', () => {
    // 300 MB of zeros, 300 KB gzipped: more than any MNIST-style file unpacks to.
    const bomb = gzipSync(Buffer.alloc(IDX_MAX_BYTES + 44 * 1024 * 1024), { level: 9 })
    expect(bomb.length).toBeLessThan(1024 * 1024)
    const before = process.memoryUsage().rss
    expect(() => readIdx(bomb, 'train-images-idx3-ubyte.gz')).toThrow(
      /train-images-idx3-ubyte\.gz unpacks to more than 256 MB; it is not an MNIST-style file/,
    )
    expect(process.memoryUsage().rss - before).toBeLessThan(700 * 1024 * 1024)
  })

  it('a zip whose directory claims a huge file is refused before anything is inflated', () => {
    const zip = zipSync({ 'x_train.npy': writeNpy([4], new Uint8Array(4), '|u1') }, { level: 6 })
    // The central directory's "uncompressed size" field (offset 24 from its signature) says 3 GB.
    const view = new DataView(zip.buffer)
    for (let at = zip.length - 22; at >= 0; at--)
      if (view.getUint32(at, true) === 0x02014b50) {
        view.setUint32(at + 24, 3_000_000_000, true)
        break
      }
    expect(() => readNpz(zip, 'mnist.npz')).toThrow(
      /mnist\.npz would unpack to more than 1024 MB \(at x_train\.npy\)/,
    )
  })

  it('a preview checks a cached Keras file against its published hash before reading it', async () => {
    const dir = mnistCache(new Uint8Array(3 * 784), [3, 28, 28], Uint8Array.from([1, 2, 3]))
    await expect(previewDataset('mnist', {}, 1, dir)).rejects.toThrow(
      /mnist\.npz does not match its published sha256 .* it is damaged or not the real file/,
    )
    // The file stays where it is: it is the user's.
    expect(readFileSync(join(dir, 'mnist.npz')).length).toBeGreaterThan(0)
  })
})
