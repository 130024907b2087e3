// Samples of a loaded dataset by index, as the app shows them beside their predictions: images as
// pixels, IMDB and Reuters texts decoded to words (when the word list is in the cache), other rows
// as their numbers. The evaluation names the rows; this gives what they hold.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { DatasetSamples } from '../../shared/ipc/contract'
import type { LoadedDataset } from './builtins'
import { DatasetFileError } from './idx'
import { kerasDataset } from './keras'
import { readWordIndex, sequenceDecoder } from './text'

/** The most samples one call gives (a page of the sample strip). */
export const SAMPLES_PER_CALL = 64

/** The split a sample index counts in: the training samples or the test split. */
export function splitOf(d: LoadedDataset, split: 'train' | 'test'): LoadedDataset {
  if (split === 'train') return d
  if (!d.test?.y.length) throw new DatasetFileError(`The dataset "${d.id}" has no test split.`)
  return { ...d, x: d.test.x, y: d.test.y, more: d.test.more, test: undefined }
}

export async function datasetSamples(
  loaded: LoadedDataset,
  split: 'train' | 'test',
  indices: number[],
  kerasDir: string,
  /** Images' shape where the samples are flattened (an image dataset with flatten on). */
  imageShape?: number[],
): Promise<DatasetSamples> {
  const d = splitOf(loaded, split)
  const n = d.y.length
  const bad = indices.find((i) => i >= n)
  if (bad !== undefined)
    throw new DatasetFileError(
      `There is no sample ${bad.toLocaleString('en-US')} in the ${split} split of "${d.id}": it has ${n.toLocaleString('en-US')}, numbered from 0.`,
    )
  const per = d.sampleShape.reduce((a, b) => a * b, 1)
  const row = (i: number) => d.x.subarray(i * per, (i + 1) * per)
  const shape = imageShape ?? d.sampleShape
  if (shape.length >= 2) {
    const [height, width, channels = 1] = shape as [number, number, number?]
    // Pixels as stored (uint8), or values in [0, 1] scaled back.
    const scale = d.x instanceof Uint8Array ? 1 : 255
    return {
      images: {
        height,
        width,
        channels,
        samples: indices.map((index) => {
          const px = Uint8Array.from(row(index), (v) => Math.max(0, Math.min(255, Math.round(v * scale))))
          return { index, pixels: Buffer.from(px).toString('base64') }
        }),
      },
    }
  }
  if (d.id === 'imdb' || d.id === 'reuters') {
    const extra = kerasDataset(d.id)?.extras?.[0]
    const path = extra ? join(kerasDir, extra.path) : ''
    // Only a word list already in the cache: showing samples never downloads.
    const decode = path && existsSync(path) ? sequenceDecoder(await readWordIndex(path)) : null
    if (decode && d.x instanceof Int32Array)
      return { texts: indices.map((index) => ({ index, text: decode(row(index)) })) }
  }
  return { rows: indices.map((index) => ({ index, values: Array.from(row(index).subarray(0, 64)) })) }
}
