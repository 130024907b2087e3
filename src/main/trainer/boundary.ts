// The decision boundary of a model of two input features (the 2-D built-ins: spirals, XOR, moons,
// circles): its prediction at every cell of a grid over the data's plane, at each epoch's end.
import type { DecisionBoundary } from '../../shared/ipc/contract'
import type { LoadedDataset } from '../datasets/builtins'
import type { Tf } from './backends'

type LayersModel = import('@tensorflow/tfjs').LayersModel
type Tensor = import('@tensorflow/tfjs').Tensor

/** Cells along each side: 48 × 48 = 2,304 predictions, a few milliseconds for the built-ins' models. */
export const BOUNDARY_SIZE = 48

export interface Plane {
  x: [number, number]
  y: [number, number]
  size: number
  /** The cells' centres as the model's input (scaled as the data's are), row by row from the top. */
  inputs: Float32Array
}

/** The grid for a dataset of two features and a class label, with a margin around its points; else undefined. */
export function boundaryGrid(data: LoadedDataset, size = BOUNDARY_SIZE): Plane | undefined {
  if (data.task === 'regression' || data.more?.length) return undefined
  if (data.sampleShape.length !== 1 || data.sampleShape[0] !== 2 || data.classes.length > 10) return undefined
  const scale = data.xScale ?? 1
  let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity]
  for (let i = 0; i + 1 < data.x.length; i += 2) {
    const a = data.x[i]! * scale
    const b = data.x[i + 1]! * scale
    if (!Number.isFinite(a) || !Number.isFinite(b)) continue
    x0 = Math.min(x0, a)
    x1 = Math.max(x1, a)
    y0 = Math.min(y0, b)
    y1 = Math.max(y1, b)
  }
  if (!(x1 > x0) || !(y1 > y0)) return undefined
  const mx = (x1 - x0) * 0.08
  const my = (y1 - y0) * 0.08
  const x: [number, number] = [x0 - mx, x1 + mx]
  const y: [number, number] = [y0 - my, y1 + my]
  const inputs = new Float32Array(size * size * 2)
  for (let r = 0; r < size; r++)
    for (let c = 0; c < size; c++) {
      const k = (r * size + c) * 2
      inputs[k] = x[0] + ((c + 0.5) / size) * (x[1] - x[0])
      inputs[k + 1] = y[1] - ((r + 0.5) / size) * (y[1] - y[0])
    }
  return { x, y, size, inputs }
}

/** The model's class and confidence at each cell (its first output; one sigmoid unit is two classes). */
export async function decisionBoundary(tf: Tf, model: LayersModel, plane: Plane): Promise<DecisionBoundary> {
  const n = plane.size * plane.size
  const want = model.inputs[0]!.shape.slice(1).map((d) => d ?? 2) as number[]
  const probs = tf.tidy(() => {
    const out = model.predict(tf.tensor(plane.inputs, [n, ...want])) as Tensor | Tensor[]
    return (Array.isArray(out) ? out[0]! : out).reshape([n, -1])
  })
  const k = probs.shape[1] as number
  const values = (await probs.data()) as Float32Array
  probs.dispose()
  const classes = new Array<number>(n)
  const confidence = new Array<number>(n)
  for (let i = 0; i < n; i++) {
    let best = 0
    let p = values[i * k]!
    if (k === 1) {
      best = p >= 0.5 ? 1 : 0
      p = best ? p : 1 - p
    } else
      for (let j = 1; j < k; j++)
        if (values[i * k + j]! > p) {
          p = values[i * k + j]!
          best = j
        }
    classes[i] = best
    // Two places are enough for a picture, and keep the message small.
    confidence[i] = Number.isFinite(p) ? Math.round(Math.min(1, Math.max(0, p)) * 100) / 100 : 0
  }
  return { x: plane.x, y: plane.y, size: plane.size, classes, confidence }
}
