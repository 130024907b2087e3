import type { DatasetInfo } from '../../shared/ipc/contract'
import { gaussian, mulberry32 } from './random'

/** A dataset in memory: samples flattened row-major, one integer label per sample. */
export interface LoadedDataset {
  id: string
  x: Float32Array
  sampleShape: number[]
  /** Class indices for classification; target values for regression. */
  y: Int32Array | Float32Array
  /** 'regression' when y holds values to predict rather than classes. */
  task?: 'classification' | 'regression'
  classes: string[]
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

export const BUILTIN_DATASETS: DatasetInfo[] = [
  {
    id: 'shapes',
    name: 'Shapes (circles, squares, triangles)',
    task: 'classification',
    description:
      '28×28 grayscale outlines of circles, squares and triangles, as in the teaching decks. Generated locally from a seed.',
    sampleShape: [SIZE, SIZE],
    classes: SHAPE_CLASSES,
    defaultOptions: { count: 1500, noise: 0.1, filled: 0.25 },
    builtIn: true,
  },
  {
    id: 'spirals',
    name: 'Spirals (2-D points)',
    task: 'classification',
    description:
      'Points on interleaved spiral arms; each sample is an (x, y) pair. Generated locally from a seed.',
    sampleShape: [2],
    classes: ['arm 1', 'arm 2'],
    defaultOptions: { count: 1000, noise: 0.05, arms: 2 },
    builtIn: true,
  },
]

/** Loads a dataset by id. Unknown ids get a message that lists the known ones. */
export function loadDataset(id: string, options: Record<string, unknown>, seed: number): LoadedDataset {
  const num = (k: string): number | undefined =>
    typeof options[k] === 'number' ? (options[k] as number) : undefined
  switch (id) {
    case 'shapes':
      return makeShapes({ count: num('count'), noise: num('noise'), filled: num('filled') }, seed)
    case 'spirals':
      return makeSpirals({ count: num('count'), noise: num('noise'), arms: num('arms') }, seed)
    default:
      throw new Error(`Unknown dataset "${id}". Available: ${BUILTIN_DATASETS.map((d) => d.id).join(', ')}.`)
  }
}
