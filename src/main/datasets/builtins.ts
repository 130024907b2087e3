import { showValue } from '../../shared/json-limits'
import { DatasetFileError } from './idx'
import type { DatasetInfo } from '../../shared/ipc/contract'
import { gaussian, mulberry32 } from './random'
import { applyImageOptions, BUILTIN_OPTIONS, checkOptions, defaultsOf } from './options'

/** A dataset in memory: samples flattened row-major, one integer label per sample. */
export interface LoadedDataset {
  id: string
  /** Samples as stored: images stay uint8 (scaled by `xScale` a batch at a time), sequences int32. */
  x: Float32Array | Uint8Array | Int32Array
  /** Multiplies x when a batch is built (1/255 for images scaled to [0, 1]); 1 when absent. */
  xScale?: number
  sampleShape: number[]
  /** Class indices for classification; target values for regression. */
  y: Int32Array | Float32Array
  /** 'regression' when y holds values to predict rather than classes. */
  task?: 'classification' | 'regression'
  classes: string[]
  /** Further inputs, one per Input after the first, in the model's order (the measured shapes' numbers). */
  more?: { name: string; x: Float32Array; sampleShape: number[] }[]
  /**
   * The test split, encoded as x and y are (and with the same further inputs): a Keras dataset's own
   * test set, a CSV's or image folder's held-back rows, a built-in's samples generated apart.
   * Never trained or validated on; evaluated after training.
   */
  test?: {
    x: LoadedDataset['x']
    y: Int32Array | Float32Array
    more?: LoadedDataset['more']
  }
}

const SIZE = 28
const SHAPE_CLASSES = ['circle', 'square', 'triangle']

/** Distance from point p to segment ab. */
function segDist(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax
  const dy = by - ay
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy))
}

/**
 * Draws one 28×28 outline of a shape, anti-aliased, into `out` at `offset`: the teaching decks'
 * circles, squares and triangles, at a random size and place.
 */
function inside(
  kind: number,
  px: number,
  py: number,
  cx: number,
  cy: number,
  r: number,
  tri: [number, number][],
): boolean {
  if (kind === 0) return Math.hypot(px - cx, py - cy) <= r
  if (kind === 1) return Math.max(Math.abs(px - cx), Math.abs(py - cy)) <= r * 0.85
  const sign = (a: [number, number], b: [number, number]): number =>
    (px - b[0]) * (a[1] - b[1]) - (a[0] - b[0]) * (py - b[1])
  const d1 = sign(tri[0]!, tri[1]!)
  const d2 = sign(tri[1]!, tri[2]!)
  const d3 = sign(tri[2]!, tri[0]!)
  return !((d1 < 0 || d2 < 0 || d3 < 0) && (d1 > 0 || d2 > 0 || d3 > 0))
}

function drawShape(
  kind: number,
  rand: () => number,
  noise: number,
  fillRatio: number,
  out: Float32Array,
  offset: number,
): void {
  // Roughly centred, like a drawn digit in MNIST: size and place vary, but stay inside the frame.
  const r = 6 + rand() * 5
  const room = Math.min(3, SIZE / 2 - r - 1.5)
  const cx = SIZE / 2 + (rand() * 2 - 1) * room
  const cy = SIZE / 2 + (rand() * 2 - 1) * room
  const half = 0.6 + rand() * 0.6 // half the stroke width
  const filled = rand() < fillRatio
  const tri: [number, number][] = [
    [cx, cy - r],
    [cx + r * 0.95, cy + r * 0.8],
    [cx - r * 0.95, cy + r * 0.8],
  ]
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const px = x + 0.5
      const py = y + 0.5
      let d: number
      if (kind === 0) d = Math.abs(Math.hypot(px - cx, py - cy) - r)
      else if (kind === 1) d = Math.abs(Math.max(Math.abs(px - cx), Math.abs(py - cy)) - r * 0.85)
      else
        d = Math.min(
          segDist(px, py, ...tri[0]!, ...tri[1]!),
          segDist(px, py, ...tri[1]!, ...tri[2]!),
          segDist(px, py, ...tri[2]!, ...tri[0]!),
        )
      let ink = Math.max(0, Math.min(1, half + 0.5 - d))
      if (filled && inside(kind, px, py, cx, cy, r, tri)) ink = 1
      const v = ink + noise * gaussian(rand)
      out[offset + y * SIZE + x] = Math.max(0, Math.min(1, v))
    }
  }
}

export function makeShapes(
  options: { count?: number; noise?: number; filled?: number },
  seed: number,
): LoadedDataset {
  const count = Math.max(3, Math.floor(options.count ?? 1500))
  const noise = Math.max(0, Math.min(1, options.noise ?? 0.1))
  const fillRatio = Math.max(0, Math.min(1, options.filled ?? 0.25))
  const rand = mulberry32(seed)
  const x = new Float32Array(count * SIZE * SIZE)
  const y = new Int32Array(count)
  for (let i = 0; i < count; i++) {
    // Balanced classes in a seeded random order, so a validation split taken from the end is fair.
    y[i] = i % 3
  }
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1))
    const t = y[i]!
    y[i] = y[j]!
    y[j] = t
  }
  for (let i = 0; i < count; i++) drawShape(y[i]!, rand, noise, fillRatio, x, i * SIZE * SIZE)
  return { id: 'shapes', x, sampleShape: [SIZE, SIZE], y, classes: SHAPE_CLASSES }
}

/**
 * The shapes, each with four numbers measured from its image: how much ink it has, where its ink is
 * centred (row and column, 0 to 1) and how far the ink spreads from there: a dataset with two inputs.
 */
export function makeMeasuredShapes(
  options: { count?: number; noise?: number; filled?: number },
  seed: number,
): LoadedDataset {
  const d = makeShapes(options, seed)
  const n = d.y.length
  const m = new Float32Array(n * 4)
  const px = SIZE * SIZE
  const img = d.x as Float32Array
  for (let i = 0; i < n; i++) {
    let ink = 0
    let sy = 0
    let sx = 0
    for (let k = 0; k < px; k++) {
      const v = img[i * px + k]!
      ink += v
      sy += v * Math.floor(k / SIZE)
      sx += v * (k % SIZE)
    }
    const cy = ink ? sy / ink : SIZE / 2
    const cx = ink ? sx / ink : SIZE / 2
    let spread = 0
    for (let k = 0; k < px; k++)
      spread += img[i * px + k]! * Math.hypot(Math.floor(k / SIZE) - cy, (k % SIZE) - cx)
    m.set([ink / px, cy / SIZE, cx / SIZE, ink ? spread / ink / SIZE : 0], i * 4)
  }
  return { ...d, id: 'shapes-measured', more: [{ name: 'measurements', x: m, sampleShape: [4] }] }
}

export function makeSpirals(
  options: { count?: number; noise?: number; arms?: number },
  seed: number,
): LoadedDataset {
  const count = Math.max(2, Math.floor(options.count ?? 1000))
  const noise = Math.max(0, Math.min(1, options.noise ?? 0.05))
  const arms = Math.max(2, Math.min(5, Math.floor(options.arms ?? 2)))
  const rand = mulberry32(seed)
  const x = new Float32Array(count * 2)
  const y = new Int32Array(count)
  for (let i = 0; i < count; i++) {
    const arm = Math.floor(rand() * arms)
    const t = Math.sqrt(rand())
    const angle = t * 3 * Math.PI + (2 * Math.PI * arm) / arms
    x[2 * i] = t * Math.cos(angle) + noise * gaussian(rand)
    x[2 * i + 1] = t * Math.sin(angle) + noise * gaussian(rand)
    y[i] = arm
  }
  return {
    id: 'spirals',
    x,
    sampleShape: [2],
    y,
    classes: Array.from({ length: arms }, (_, i) => `arm ${i + 1}`),
  }
}

/** Two-dimensional points from a seeded generator: `point(rand)` gives [x, y, class]. */
function points(
  id: string,
  classes: string[],
  count: number,
  seed: number,
  point: (rand: () => number, i: number) => [number, number, number],
): LoadedDataset {
  const rand = mulberry32(seed)
  const x = new Float32Array(count * 2)
  const y = new Int32Array(count)
  for (let i = 0; i < count; i++) {
    const [a, b, c] = point(rand, i)
    x[2 * i] = a
    x[2 * i + 1] = b
    y[i] = c
  }
  return { id, x, sampleShape: [2], y, classes }
}

/** XOR: points in [-1, 1]², class 1 where x and y have opposite signs. */
export const makeXor = (o: { count: number; noise: number }, seed: number) =>
  points('xor', ['same sign', 'opposite signs'], o.count, seed, (rand, _i) => {
    const a = rand() * 2 - 1
    const b = rand() * 2 - 1
    const n = (): number => o.noise * gaussian(rand)
    return [a + n(), b + n(), a * b < 0 ? 1 : 0]
  })

/** Two interleaving half circles (scikit-learn's make_moons), alternating classes. */
export const makeMoons = (o: { count: number; noise: number }, seed: number) =>
  points('moons', ['upper moon', 'lower moon'], o.count, seed, (rand, i) => {
    const t = rand() * Math.PI
    const c = i % 2
    const [a, b] = c === 0 ? [Math.cos(t), Math.sin(t)] : [1 - Math.cos(t), 0.5 - Math.sin(t)]
    return [a + o.noise * gaussian(rand), b + o.noise * gaussian(rand), c]
  })

/** A small circle inside a large one (scikit-learn's make_circles), alternating classes. */
export const makeCircles = (o: { count: number; noise: number; factor: number }, seed: number) =>
  points('circles', ['outer circle', 'inner circle'], o.count, seed, (rand, i) => {
    const t = rand() * 2 * Math.PI
    const c = i % 2
    const r = c === 0 ? 1 : o.factor
    return [r * Math.cos(t) + o.noise * gaussian(rand), r * Math.sin(t) + o.noise * gaussian(rand), c]
  })

const builtin = (
  d: Omit<DatasetInfo, 'options' | 'defaultOptions' | 'builtIn' | 'source' | 'cached' | 'loadable'>,
): DatasetInfo => {
  const options = BUILTIN_OPTIONS[d.id] ?? []
  return { ...d, options, defaultOptions: defaultsOf(options), builtIn: true }
}

export const BUILTIN_DATASETS: DatasetInfo[] = [
  builtin({
    id: 'shapes',
    name: 'Shapes (circles, squares, triangles)',
    task: 'classification',
    description:
      '28×28 grayscale outlines of circles, squares and triangles, as in the teaching decks. Generated locally from a seed.',
    sampleShape: [SIZE, SIZE],
    classes: SHAPE_CLASSES,
  }),
  builtin({
    id: 'shapes-measured',
    name: 'Shapes and measurements (2 inputs)',
    task: 'classification',
    description:
      'The shapes, each with four numbers measured from its image (ink, centre row and column, spread): an image input [28, 28] and a numbers input [4], for a Functional model with two Inputs. Generated locally from a seed.',
    sampleShape: [SIZE, SIZE],
    classes: SHAPE_CLASSES,
  }),
  builtin({
    id: 'spirals',
    name: 'Spirals (2-D points)',
    task: 'classification',
    description:
      'Points on interleaved spiral arms; each sample is an (x, y) pair. Generated locally from a seed.',
    sampleShape: [2],
    classes: ['arm 1', 'arm 2'],
  }),
  builtin({
    id: 'xor',
    name: 'XOR (2-D points)',
    task: 'classification',
    description:
      'Points in a square, labelled by whether x and y have opposite signs: the classic problem one straight line cannot separate.',
    sampleShape: [2],
    classes: ['same sign', 'opposite signs'],
  }),
  builtin({
    id: 'moons',
    name: 'Moons (2-D points)',
    task: 'classification',
    description: 'Two interleaving half circles (as scikit-learn’s make_moons).',
    sampleShape: [2],
    classes: ['upper moon', 'lower moon'],
  }),
  builtin({
    id: 'circles',
    name: 'Circles (2-D points)',
    task: 'classification',
    description: 'A small circle inside a large one (as scikit-learn’s make_circles).',
    sampleShape: [2],
    classes: ['outer circle', 'inner circle'],
  }),
]

/** Loads a built-in dataset by id, with its options checked. Unknown ids get a message that lists the known ones. */
export function loadDataset(id: string, given: Record<string, unknown>, seed: number): LoadedDataset {
  const info = BUILTIN_DATASETS.find((d) => d.id === id)
  if (!info)
    throw new DatasetFileError(
      `There is no built-in dataset ${showValue(id, 60)}. The built-ins are: ${BUILTIN_DATASETS.map((d) => d.id).join(', ')}.`,
    )
  const o = checkOptions(id, info.options, given)
  const n = (k: string) => o[k] as number
  const make = (count: number, s: number): LoadedDataset => {
    const common = { count, noise: n('noise') }
    switch (id) {
      case 'shapes':
        return applyImageOptions(makeShapes({ ...common, filled: n('filled') }, s), o)
      case 'shapes-measured':
        return makeMeasuredShapes({ ...common, filled: n('filled') }, s)
      case 'spirals':
        return makeSpirals({ ...common, arms: n('arms') }, s)
      case 'xor':
        return makeXor(common, s)
      case 'moons':
        return makeMoons(common, s)
      default:
        return makeCircles({ ...common, factor: n('factor') }, s)
    }
  }
  const count = Math.floor(n('count'))
  const test = make(Math.max(1, Math.round(count * TEST_SHARE)), testSeed(seed))
  return { ...make(count, seed), test: { x: test.x, y: test.y, more: test.more } }
}

/** A built-in's test split: a fifth as many samples again, generated apart from the training ones. */
const TEST_SHARE = 0.2
/** The test split's seed: another stream of the same generator, fixed by the document's seed. */
export const testSeed = (seed: number): number => (Math.imul(seed, 0x9e3779b1) ^ 0x7f4a7c15) >>> 0
