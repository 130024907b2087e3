import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { readCifar, readTar } from './cifar'
import { KERAS_DATASETS } from './keras'

const fixture = (name: string) => join(import.meta.dirname, 'fixtures', name)
const batches = ['data_batch_1', 'data_batch_2', 'data_batch_3', 'data_batch_4', 'data_batch_5', 'test_batch']
/** Read from the fixture with Python: data[0, [0, 1024, 2048]] and data[1, [5, 1029, 2053]]. */
const PIXEL_0 = [172, 20, 88]
const PIXEL_1_5 = [176, 121, 191]
const classes = KERAS_DATASETS.find((d) => d.id === 'cifar10')!.classes

/** A ustar archive of the given files (what `tar` writes, minus the fields we do not read). */
function tar(files: Record<string, Uint8Array>): Uint8Array {
  const blocks: Uint8Array[] = []
  for (const [name, data] of Object.entries(files)) {
    const h = new Uint8Array(512)
    h.set(new TextEncoder().encode(name))
    h.set(new TextEncoder().encode(data.length.toString(8).padStart(11, '0') + '\0'), 124)
    h[156] = 48
    h.set(new TextEncoder().encode('ustar\0'), 257)
    blocks.push(h, data, new Uint8Array((512 - (data.length % 512)) % 512))
  }
  blocks.push(new Uint8Array(1024))
  const out = new Uint8Array(blocks.reduce((a, b) => a + b.length, 0))
  let o = 0
  for (const b of blocks) out.set(b, (o += b.length) - b.length)
  return out
}

/** The three Keras layouts, each holding six copies of the fixture batch (3 images): five to train, one to test. */
function layouts(): Record<string, string> {
  const extracted = mkdtempSync(join(tmpdir(), 'cifar-'))
  mkdirSync(join(extracted, 'cifar-10-batches-py'))
  const target = mkdtempSync(join(tmpdir(), 'cifar-'))
  mkdirSync(join(target, 'cifar-10-batches-py-target', 'cifar-10-batches-py'), { recursive: true })
  for (const b of batches) {
    copyFileSync(fixture('cifar-batch-p2.pkl'), join(extracted, 'cifar-10-batches-py', b))
    copyFileSync(
      fixture('cifar-batch-p4.pkl'),
      join(target, 'cifar-10-batches-py-target', 'cifar-10-batches-py', b),
    )
  }
  const archive = mkdtempSync(join(tmpdir(), 'cifar-'))
  const bytes = readFileSync(fixture('cifar-batch-p2.pkl'))
  writeFileSync(
    join(archive, 'cifar-10-batches-py.tar.gz'),
    gzipSync(tar(Object.fromEntries(batches.map((b) => [`cifar-10-batches-py/${b}`, bytes])))),
  )
  return { 'cifar-10-batches-py/': extracted, 'cifar-10-batches-py-target/': target, '.tar.gz': archive }
}

describe('CIFAR', () => {
  it.each(Object.entries(layouts()))(
    'reads the %s layout as Keras does: channels last, scaled',
    async (_layout, dir) => {
      const d = await readCifar('cifar10', dir, classes)
      expect(d.sampleShape).toEqual([32, 32, 3])
      expect(d.y.length).toBe(15)
      expect(Array.from(d.y.subarray(0, 3))).toEqual([6, 9, 9])
      // test_batch is the test split.
      expect(Array.from(d.test!.y)).toEqual([6, 9, 9])
      expect(d.test!.x.length).toBe(3 * 3072)
      // Pixel 0 of image 0 is (R, G, B) = bytes 0, 1024 and 2048 of its row; pixel 5 of image 1 likewise.
      expect(d.x).toBeInstanceOf(Uint8Array) // scaled by xScale a batch at a time
      expect(d.xScale).toBeCloseTo(1 / 255)
      const rgb = (image: number, px: number) => [0, 1, 2].map((c) => d.x[image * 3072 + px * 3 + c]!)
      expect(rgb(0, 0)).toEqual(PIXEL_0)
      expect(rgb(1, 5)).toEqual(PIXEL_1_5)
      expect(classes[d.y[0]!]).toBe('frog')
    },
  )

  it("reads CIFAR-100's fine labels, or its coarse ones when asked", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cifar100-'))
    mkdirSync(join(dir, 'cifar-100-python'))
    copyFileSync(fixture('cifar100-batch-p2.pkl'), join(dir, 'cifar-100-python', 'train'))
    copyFileSync(fixture('cifar100-batch-p2.pkl'), join(dir, 'cifar-100-python', 'test'))
    const fine = await readCifar('cifar100', dir, KERAS_DATASETS.find((d) => d.id === 'cifar100')!.classes)
    expect(Array.from(fine.y)).toEqual([19, 29])
    expect(fine.classes[19]).toBe('cattle')
    const coarse = await readCifar('cifar100', dir, fine.classes, 'coarse')
    expect(Array.from(coarse.y)).toEqual([11, 15])
    expect(coarse.classes).toHaveLength(20)
    expect(coarse.classes[11]).toBe('large_omnivores_and_herbivores')
    expect(coarse.classes[15]).toBe('reptiles')
  })

  it('says which file is missing, and reads a tar archive member by member', async () => {
    await expect(readCifar('cifar10', mkdtempSync(join(tmpdir(), 'none-')), classes)).rejects.toThrow(
      /There is no file at .*cifar-10-batches-py.tar.gz/,
    )
    const t = readTar(tar({ 'a/b.txt': new TextEncoder().encode('hello') }))
    expect(new TextDecoder().decode(t.get('a/b.txt'))).toBe('hello')
    expect(() => readTar(tar({ 'a.bin': new Uint8Array(2000) }).subarray(0, 1000))).toThrow(/truncated/)
  })
})
