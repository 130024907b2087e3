import jpeg from 'jpeg-js'
import { PNG } from 'pngjs'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { encodeCsv, parseCsv, readCsvTable } from './csv'
import { checkDataFits } from '../trainer/outputs'
import { readImageFolder } from './imagefolder'

const CSV = `sepal_length,colour,"notes, free text",species
5.1,red,"a, b",setosa
4.9,blue,c,setosa
,red,d,versicolor
6.4,green,e,versicolor
6.3,,f,virginica
5.8,red,g,virginica
7.1,blue,h,virginica
5.0,red,i,setosa
6.0,green,j,versicolor
6.5,blue,k,virginica
`

describe('a CSV file of your own', () => {
  it('finds numeric and categorical columns, infers classification from a text target, and encodes', () => {
    const t = parseCsv(CSV, 'iris.csv', { ignore: 'notes, free text' })
    expect(t.columns.map((c) => [c.name, c.kind, c.role, c.missing])).toEqual([
      ['sepal_length', 'numeric', 'feature', 1],
      ['colour', 'categorical', 'feature', 1],
      ['notes, free text', 'categorical', 'ignored', 0],
      ['species', 'categorical', 'target', 0],
    ])
    expect(t.task).toBe('classification')
    expect(t.taskReason).toContain('"species" holds text')
    const d = encodeCsv(t, { test_split: 0.2 }, 1)
    expect(d.features).toEqual(['sepal_length', 'colour=blue', 'colour=green', 'colour=red'])
    expect(d.sampleShape).toEqual([4])
    expect(d.y.length).toBe(8)
    expect(d.testCount).toBe(2)
    expect(d.classes).toEqual(['setosa', 'versicolor', 'virginica'])
    // Standardized with the training rows: mean 0; one-hot columns are 0/1 with at most one 1 a row.
    const first = Array.from({ length: 8 }, (_, i) => d.x[i * 4]!)
    expect(Math.abs(first.reduce((a, b) => a + b, 0))).toBeLessThan(1e-4)
    for (let i = 0; i < 8; i++) {
      const hot = [1, 2, 3].map((k) => d.x[i * 4 + k]!)
      expect(hot.every((v) => v === 0 || v === 1)).toBe(true)
      expect(hot.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1)
    }
    // The held-back rows come encoded the same way (the training rows' statistics), for evaluation.
    expect(d.test!.y.length).toBe(2)
    expect(d.test!.x.length).toBe(2 * 4)
    for (let i = 0; i < 2; i++)
      expect([1, 2, 3].map((k) => d.test!.x[i * 4 + k]!).every((v) => v === 0 || v === 1)).toBe(true)
    // The same seed gives the same split; another seed another.
    expect(encodeCsv(t, {}, 1).y).toEqual(encodeCsv(t, {}, 1).y)
  })

  it('feeds a model with several Inputs from column groups (input_groups), test rows too', async () => {
    const t = parseCsv(CSV, 'iris.csv', { ignore: 'notes, free text' })
    const d = encodeCsv(t, { input_groups: 'colour; sepal_length', test_split: 0.2 }, 1)
    const whole = encodeCsv(t, { test_split: 0.2 }, 1)
    expect(d.sampleShape).toEqual([3]) // colour, one-hot
    expect(d.more).toEqual([{ name: 'input 2: sepal_length', x: expect.any(Float32Array), sampleShape: [1] }])
    // The same values as one Input's, split by column.
    for (let i = 0; i < 8; i++) {
      expect(Array.from(d.x.subarray(i * 3, i * 3 + 3))).toEqual(
        Array.from(whole.x.subarray(i * 4 + 1, i * 4 + 4)),
      )
      expect(d.more![0]!.x[i]).toBe(whole.x[i * 4])
    }
    expect(d.test!.more![0]!.x).toHaveLength(2)
    // A model with an Input per group takes it, as training checks it; one Input does not.
    const more = d.more!.map((m) => m.sampleShape)
    expect(() => checkDataFits([[3], [1]], d.sampleShape, 'csv', more)).not.toThrow()
    expect(() => checkDataFits([[4]], d.sampleShape, 'csv', more)).toThrow(
      'This dataset feeds 2 inputs, but the model has 1 Input layer.',
    )
    // Names that are not features, twice, or left out are refused with what to do.
    expect(() => encodeCsv(t, { input_groups: 'colour; height' }, 1)).toThrow(
      'input_groups names "height", which is not a feature column. The features: sepal_length, colour.',
    )
    expect(() => encodeCsv(t, { input_groups: 'colour; colour, sepal_length' }, 1)).toThrow(
      'names "colour" twice',
    )
    expect(() => encodeCsv(t, { input_groups: 'colour' }, 1)).toThrow(
      'input_groups leaves out sepal_length: put it in a group, or in ignore.',
    )
  })

  it('infers regression for a numeric target with many values, classes for few whole numbers', () => {
    const rows = Array.from({ length: 30 }, (_, i) => `${i},${i % 3},${(i * 1.7).toFixed(2)}`)
    const text = `a,b,price\n${rows.join('\n')}\n`
    const reg = parseCsv(text, 'p.csv', {})
    expect(reg.task).toBe('regression')
    const d = encodeCsv(reg, { standardize: false, test_split: 0 }, 3)
    expect(d.task).toBe('regression')
    expect(d.y).toBeInstanceOf(Float32Array)
    expect(d.y.length).toBe(30)
    const cls = parseCsv(text, 'p.csv', { target: 'b' })
    expect(cls.task).toBe('classification')
    expect(encodeCsv(cls, {}, 3).classes).toEqual(['0', '1', '2'])
    expect(parseCsv(text, 'p.csv', { target: 'b', task: 'regression' }).task).toBe('regression')
  })

  it('refuses a damaged or unusable file with a message that says what to fix', async () => {
    expect(() => parseCsv('a,b\n1,2\n3\n4,5\n', 'r.csv', {})).toThrow(
      'r.csv: row 3 has 1 values, but the header names 2 columns.',
    )
    expect(() => parseCsv('a,a\n1,2\n3,4\n', 'd.csv', {})).toThrow('d.csv: two columns are named "a".')
    expect(() => parseCsv(CSV, 'iris.csv', { target: 'petal' })).toThrow(
      'iris.csv has no column "petal". Its columns: sepal_length, colour, notes, free text, species.',
    )
    expect(() => parseCsv(CSV, 'iris.csv', { task: 'regression' })).toThrow(
      '"species" holds text, so it cannot be predicted as a number (regression).',
    )
    expect(() => parseCsv('a,b\n1,\n2,3\n', 'm.csv', {})).toThrow('the target column "b" has 1 empty values')
    expect(() => parseCsv('a,b\n"1,2\n', 'q.csv', {})).toThrow(/^q.csv: /)
    await expect(readCsvTable(join(tmpdir(), 'no-such-file.csv'), {})).rejects.toThrow('There is no file at')
  })
})

/** An image folder: red/ and blue/ classes of solid squares, one of each as PNG and as JPEG. */
function imageFolder(): string {
  const root = mkdtempSync(join(tmpdir(), 'images-'))
  const solid = (w: number, h: number, rgb: number[]) => {
    const data = Buffer.alloc(w * h * 4)
    for (let i = 0; i < w * h; i++) data.set([...rgb, 255], i * 4)
    return data
  }
  for (const [name, rgb] of [
    ['red', [220, 10, 10]],
    ['blue', [10, 10, 220]],
  ] as const) {
    mkdirSync(join(root, name))
    for (let k = 0; k < 3; k++) {
      const png = new PNG({ width: 20 + k, height: 12 })
      png.data = solid(20 + k, 12, [...rgb])
      writeFileSync(join(root, name, `${k}.png`), PNG.sync.write(png))
    }
    const jpg = jpeg.encode({ data: solid(16, 16, [...rgb]), width: 16, height: 16 }, 95)
    writeFileSync(join(root, name, 'photo.JPG'), jpg.data)
    writeFileSync(join(root, name, 'readme.txt'), 'not an image')
  }
  return root
}

describe('a folder of images of your own', () => {
  it('reads one subfolder per class, PNG and JPEG, resized, shuffled with labels kept', async () => {
    const root = imageFolder()
    const d = await readImageFolder(root, { height: 8, width: 8 }, 1)
    expect(d.classes).toEqual(['blue', 'red'])
    expect(d.sampleShape).toEqual([8, 8, 3])
    expect(d.y.length).toBe(8)
    expect(d.skipped).toBe(2)
    expect(d.x).toBeInstanceOf(Uint8Array)
    for (let i = 0; i < 8; i++) {
      const [r, , b] = [0, 1, 2].map((c) => d.x[i * 192 + 27 * 3 + c]!)
      // Each image keeps its class's colour (JPEG within a few levels).
      if (d.classes[d.y[i]!] === 'red') expect(r! - b!).toBeGreaterThan(150)
      else expect(b! - r!).toBeGreaterThan(150)
    }
    const gray = await readImageFolder(root, { height: 5, width: 7, color_mode: 'grayscale' }, 1)
    expect(gray.sampleShape).toEqual([5, 7, 1])
    expect(gray.x.length).toBe(8 * 35)
  })

  it('names a damaged image, an empty class and a folder without classes', async () => {
    const root = imageFolder()
    writeFileSync(join(root, 'red', 'broken.png'), 'PNG? no')
    await expect(readImageFolder(root, {}, 1)).rejects.toThrow(/broken\.png is not a readable PNG image/)
    const flat = mkdtempSync(join(tmpdir(), 'flat-'))
    await expect(readImageFolder(flat, {}, 1)).rejects.toThrow('needs one subfolder per class')
    mkdirSync(join(flat, 'a'))
    mkdirSync(join(flat, 'b'))
    writeFileSync(join(flat, 'a', 'x.txt'), '')
    await expect(readImageFolder(flat, {}, 1)).rejects.toThrow('The class folders a, b in')
  })
})
