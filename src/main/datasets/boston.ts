import { join } from 'node:path'
import type { LoadedDataset } from './builtins'
import { DatasetFileError } from './idx'
import { readNpz } from './npy'
import { readDataFile } from './read'
import { numpyShuffledIndices } from './randomstate'

/**
 * Boston Housing as keras.datasets.boston_housing.load_data() gives its training split: rows shuffled
 * with numpy's RandomState(113), the first 80% kept (test_split 0.2), the rest its test split. Features are standardized with
 * the statistics of those training rows unless `standardize` is false.
 */
export async function readBoston(dir: string, options: Record<string, unknown> = {}): Promise<LoadedDataset> {
  const path = join(dir, 'boston_housing.npz')
  const npz = readNpz(await readDataFile(path), path)
  const x = npz.x
  const y = npz.y
  if (!x || !y || x.shape.length !== 2 || y.shape[0] !== x.shape[0])
    throw new DatasetFileError(`${path} does not hold Boston Housing's x (rows × 13) and y arrays.`)
  const rows = x.shape[0]!
  const cols = x.shape[1]!
  const testSplit = typeof options.test_split === 'number' ? options.test_split : 0.2
  const order = numpyShuffledIndices(rows, typeof options.seed === 'number' ? options.seed : 113)
  const n = Math.floor(rows * (1 - testSplit))
  const xv = x.data as ArrayLike<number>
  const yv = y.data as ArrayLike<number>
  const take = (from: number, to: number) => {
    const xs = new Float32Array((to - from) * cols)
    const ys = new Float32Array(to - from)
    for (let i = from; i < to; i++) {
      const r = order[i]!
      ys[i - from] = yv[r]!
      for (let c = 0; c < cols; c++) xs[(i - from) * cols + c] = xv[r * cols + c]!
    }
    return { xs, ys }
  }
  const train = take(0, n)
  const test = take(n, rows)
  // Standardized with the training rows' statistics, the test rows too (as the decks do).
  if (options.standardize !== false)
    for (let c = 0; c < cols; c++) {
      const xs = train.xs
      let mean = 0
      for (let i = 0; i < n; i++) mean += xs[i * cols + c]!
      mean /= n
      let v = 0
      for (let i = 0; i < n; i++) v += (xs[i * cols + c]! - mean) ** 2
      const sd = Math.sqrt(v / n) || 1
      for (const part of [train.xs, test.xs])
        for (let i = 0; i < part.length / cols; i++) part[i * cols + c] = (part[i * cols + c]! - mean) / sd
    }
  return {
    id: 'boston_housing',
    x: train.xs,
    sampleShape: [cols],
    y: train.ys,
    classes: [],
    task: 'regression',
    ...(test.ys.length ? { test: { x: test.xs, y: test.ys } } : {}),
  }
}
