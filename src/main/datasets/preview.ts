// What the dataset browser shows: a dataset loaded with the user's options, summarized — task,
// shape after preprocessing, counts and class balance — with a look at the data itself: an image
// grid, decoded texts, a table, or a scatter of 2-D points.
import { existsSync } from 'node:fs'
import { showValue } from '../../shared/json-limits'
import { DatasetFileError } from './idx'
import type { DatasetPreview } from '../../shared/ipc/contract'
import type { LoadedDataset } from './builtins'
import { readCsvTable, encodeCsv } from './csv'
import { ensureFile, verifyCached } from './download'
import { kerasDataset, kerasSampleShape } from './keras'
import { checkOptions } from './options'
import { datasetInfos, loadAnyDataset } from './registry'
import { readTextSequences, readWordIndex, sequenceDecoder } from './text'
import { join } from 'node:path'

const BOSTON_COLUMNS = 'CRIM ZN INDUS CHAS NOX RM AGE DIS RAD TAX PTRATIO B LSTAT'.split(' ')
const IMAGES_SHOWN = 32
const ROWS_SHOWN = 20

function balanceOf(d: LoadedDataset): number[] {
  const counts = new Array<number>(d.classes.length).fill(0)
  if (d.task !== 'regression') for (const v of d.y) counts[v] = (counts[v] ?? 0) + 1
  return counts
}

function imageGrid(d: LoadedDataset): DatasetPreview['images'] {
  const [height, width, channels = 1] = d.sampleShape.length >= 2 ? d.sampleShape : [0, 0]
  const per = height! * width! * channels
  const n = Math.min(IMAGES_SHOWN, d.y.length)
  const scale = d.x instanceof Uint8Array ? 1 : 255
  return {
    height: height!,
    width: width!,
    channels,
    samples: Array.from({ length: n }, (_, i) => {
      const px = new Uint8Array(per)
      for (let k = 0; k < per; k++) px[k] = Math.max(0, Math.min(255, Math.round(d.x[i * per + k]! * scale)))
      return { label: d.classes[d.y[i]!] ?? String(d.y[i]), pixels: Buffer.from(px).toString('base64') }
    }),
  }
}

function rowsOf(d: LoadedDataset, names: string[]): DatasetPreview['table'] {
  const width = d.sampleShape[0] ?? 0
  const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(3))
  return {
    columns: [
      ...names.map((name) => ({ name, kind: 'numeric', role: 'feature', detail: '', missing: 0 })),
      {
        name: 'target',
        kind: d.task === 'regression' ? 'numeric' : 'categorical',
        role: 'target',
        detail: '',
        missing: 0,
      },
    ],
    rows: Array.from({ length: Math.min(ROWS_SHOWN, d.y.length) }, (_, i) => [
      ...Array.from({ length: width }, (_, k) => fmt(d.x[i * width + k]!)),
      d.task === 'regression' ? fmt(d.y[i]!) : (d.classes[d.y[i]!] ?? String(d.y[i])),
    ]),
  }
}

function summary(d: LoadedDataset): Omit<DatasetPreview, 'id' | 'cached' | 'notes'> {
  const task = d.task ?? 'classification'
  const base = {
    task,
    sampleShape: d.sampleShape,
    count: d.y.length,
    classes: d.classes,
    balance: balanceOf(d),
  }
  if (task !== 'regression') return base
  let min = Infinity
  let max = -Infinity
  let sum = 0
  for (const v of d.y) {
    min = Math.min(min, v)
    max = Math.max(max, v)
    sum += v
  }
  return { ...base, target: { min, max, mean: sum / Math.max(d.y.length, 1) } }
}

/**
 * Loads a dataset with these options and summarizes it. `given.path` for the user's data must already
 * be resolved and allowed by the host. Keras datasets not in the cache give their shape only.
 */
export async function previewDataset(
  id: string,
  given: Record<string, unknown>,
  seed: number,
  kerasDir: string,
  /**
   * Whether a missing word index may be downloaded, and whether cached Keras files are checked against
   * their published hashes first (tests of previews built from small stand-in files say no to both).
   */
  fetch: { extras: boolean; verify?: boolean } = { extras: true, verify: true },
): Promise<DatasetPreview> {
  const info = datasetInfos(kerasDir).find((d) => d.id === id)
  if (!info) throw new DatasetFileError(`There is no dataset ${showValue(id, 60)}.`)
  const o = checkOptions(id, info.options, given)
  const notes: string[] = []
  if (info.source === 'keras' && !info.cached)
    return {
      id,
      task: info.task,
      sampleShape: kerasSampleShape(info, o),
      count: 0,
      classes: info.classes,
      balance: [],
      cached: false,
      notes: [
        `Not downloaded yet: Download (or \`netwright datasets prepare ${id}\`) fetches it into ${info.files?.join(', ')}.`,
      ],
    }
  if (id === 'csv') {
    if (!o.path) throw new DatasetFileError('Choose a CSV file first.')
    const table = await readCsvTable(String(o.path), o)
    const d = encodeCsv(table, o, seed)
    if (table.columns.some((c) => c.missing > 0))
      notes.push('Empty numeric values take the column’s mean; empty text values encode as all zeros.')
    return {
      id,
      ...summary(d),
      testCount: d.testCount,
      cached: true,
      table: { columns: table.columns, rows: table.rows.slice(0, ROWS_SHOWN), taskReason: table.taskReason },
      notes: [`Features after encoding: ${d.features.length} (${d.features.join(', ')}).`, ...notes],
    }
  }
  // A cached Keras file is checked against its published hash before it is read, as Train does.
  if (fetch.verify !== false) for (const f of kerasDataset(id)?.files ?? []) await verifyCached(kerasDir, f)
  const d = await loadAnyDataset(id, o, seed, kerasDir)
  const out: DatasetPreview = { id, ...summary(d), cached: true, notes }
  if ('skipped' in d && typeof d.skipped === 'number' && d.skipped > 0)
    notes.push(`${d.skipped} files that are not PNG or JPEG were skipped.`)
  // Images are shown as images, flattened or not.
  const imageShape =
    id === 'images'
      ? [Number(o.height), Number(o.width), o.color_mode === 'grayscale' ? 1 : 3]
      : info.sampleShape
  if (imageShape.length >= 2) out.images = imageGrid({ ...d, sampleShape: imageShape })
  else if (id === 'imdb' || id === 'reuters') {
    const seqs = await readTextSequences(id, kerasDir, o)
    const extra = kerasDataset(id)?.extras?.[0]
    let decode = (s: number[]) => s.join(' ')
    if (extra)
      try {
        const path = join(kerasDir, extra.path)
        if (!existsSync(path)) {
          if (!fetch.extras) throw new Error(`${path} is not in the cache.`)
          await ensureFile(kerasDir, extra, { connectTimeoutMs: 5000 })
        } else if (fetch.verify !== false) await verifyCached(kerasDir, extra)
        decode = sequenceDecoder(await readWordIndex(path))
      } catch (e) {
        notes.push(`Showing word indices: the word list could not be had. ${(e as Error).message}`)
      }
    out.texts = seqs.x
      .slice(0, 8)
      .map((s, i) => ({ label: d.classes[seqs.y[i]!] ?? String(seqs.y[i]), text: decode(s) }))
  } else if (d.sampleShape.length === 1 && d.sampleShape[0] === 2 && info.source === 'built-in')
    out.points = Array.from({ length: Math.min(400, d.y.length) }, (_, i) => ({
      x: d.x[2 * i]!,
      y: d.x[2 * i + 1]!,
      label: d.y[i]!,
    }))
  else
    out.table = rowsOf(
      d,
      id === 'boston_housing'
        ? BOSTON_COLUMNS
        : Array.from({ length: d.sampleShape[0] ?? 0 }, (_, k) => `x${k}`),
    )
  return out
}
