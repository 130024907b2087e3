// The learning rate's effect, on the user's own model and data: a learning-rate range test (Smith,
// "Cyclical Learning Rates", 2017; fast.ai's lr_find). From fresh weights, one batch at each rate,
// the rate rising exponentially from `from` to `to`; the loss at each, smoothed, and where it fell
// fastest. It stops once the loss has blown up (four times its lowest), as lr_find does.
import type { LearningRateSweep } from '../../shared/ipc/contract'
import type { LoadedDataset } from '../datasets/builtins'
import { seedMathRandom } from '../datasets/random'
import type { Tf } from './backends'
import { batchSource } from './batches'
import { setRate } from './callbacks'
import { buildModel, disposeModel, type TrainJob } from './engine'
import { DataMismatchError } from './outputs'

export const SWEEP = { from: 1e-6, to: 1, steps: 80 } as const
/** How much of each batch's loss the smoothed curve takes (the rest from the batches before). */
const NEW_WEIGHT = 0.1

export async function learningRateSweep(
  tf: Tf,
  job: TrainJob,
  data: LoadedDataset,
  { from, to, steps } = SWEEP,
  shouldStop: () => boolean = () => false,
): Promise<LearningRateSweep> {
  const unseed = seedMathRandom(job.training.seed)
  const model = await buildModel(tf, job)
  const src = batchSource(tf, model, data, job.compile)
  try {
    const rows = Math.floor(data.y.length * (1 - job.training.validationSplit))
    if (rows < 1) throw new DataMismatchError('The validation split leaves no samples to train on.')
    const size = Math.min(job.training.batchSize, rows)
    const multi = model.outputs.length > 1
    const points: LearningRateSweep['points'] = []
    let average = 0
    let lowest = Infinity
    let divergedAt: number | null = null
    for (let i = 0; i < steps && !shouldStop(); i++) {
      const lr = from * (to / from) ** (i / (steps - 1))
      setRate(model, lr)
      const batch = Int32Array.from({ length: size }, () => Math.floor(Math.random() * rows))
      const xs = src.x(batch)
      const ys = src.ys(batch)
      let loss: number
      try {
        const out = await model.trainOnBatch(xs, multi ? ys : ys[0]!)
        loss = Array.isArray(out) ? out[0]! : out
      } finally {
        tf.dispose([xs, ys])
      }
      // An exponential average, corrected for its start at 0 (as Adam corrects its moments).
      average = (1 - NEW_WEIGHT) * average + NEW_WEIGHT * (Number.isFinite(loss) ? loss : average * 10)
      const smoothed = average / (1 - (1 - NEW_WEIGHT) ** (i + 1))
      points.push({ lr, loss, smoothed })
      if (!Number.isFinite(loss) || (i > 5 && smoothed > 4 * lowest)) {
        divergedAt = lr
        break
      }
      lowest = Math.min(lowest, smoothed)
    }
    return { points, suggestion: steepest(points), current: job.compile.learningRate, divergedAt, from, to }
  } finally {
    src.dispose()
    disposeModel(model)
    unseed()
  }
}

/**
 * The rate where the smoothed loss falls fastest against log(rate), before its lowest point, over a
 * window of a few batches (one batch's slope is mostly noise); null when it never falls.
 */
export function steepest(points: LearningRateSweep['points']): number | null {
  let low = 0
  points.forEach((p, i) => {
    if (p.smoothed < points[low]!.smoothed) low = i
  })
  const w = 3
  let best: number | null = null
  let bestSlope = 0
  for (let i = w; i <= low; i++) {
    const a = points[i - w]!
    const b = points[i]!
    const slope = (b.smoothed - a.smoothed) / (Math.log10(b.lr) - Math.log10(a.lr))
    if (slope < bestSlope) {
      bestSlope = slope
      best = points[i - Math.floor(w / 2)]!.lr
    }
  }
  return best
}
