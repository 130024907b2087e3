// A trained model on the dataset's test split (model.evaluate's numbers, and the confusion matrix
// or the errors behind them), at the end of every run and on demand for saved weights.
import type { CompileSettings } from '../../shared/graph/schema'
import { classificationEvaluation, regressionEvaluation, type Evaluation } from '../../shared/evaluation'
import type { LoadedDataset } from '../datasets/builtins'
import type { Tf } from './backends'
import { batchSource } from './batches'
import { buildModel, disposeModel, type TrainJob } from './engine'
import { DataMismatchError, lossFunction, outputSettings } from './outputs'
import { loadWeightsInto } from './weights'

type LayersModel = import('@tensorflow/tfjs').LayersModel
type Tensor = import('@tensorflow/tfjs').Tensor

/** The dataset's test split as a dataset of its own (undefined when it has none). */
export function testPart(data: LoadedDataset): LoadedDataset | undefined {
  const t = data.test
  if (!t?.y.length) return undefined
  return { ...data, x: t.x, y: t.y, more: t.more, test: undefined }
}

/**
 * Evaluates `model` on `data` (a split made a dataset: testPart's), a batch at a time: each output's
 * loss (weighted, summed into `loss` as Keras does), and the first output's predictions summarized.
 */
export async function evaluateModel(
  tf: Tf,
  model: LayersModel,
  data: LoadedDataset,
  compile: CompileSettings,
  batchSize: number,
  split: Evaluation['split'] = 'test',
): Promise<Evaluation> {
  const source = batchSource(tf, model, data, compile)
  const settings = outputSettings(compile, model.outputNames)
  const n = source.count
  const width = (model.outputs[0]!.shape.at(-1) as number | null) ?? 1
  const first = new Float32Array(n * width)
  const lossSums = settings.map(() => 0)
  try {
    for (let from = 0; from < n; from += batchSize) {
      const rows = Int32Array.from({ length: Math.min(batchSize, n - from) }, (_, i) => from + i)
      const x = source.x(rows)
      const ys = source.ys(rows)
      const [pred, losses] = tf.tidy(() => {
        const out = model.predict(x, { batchSize })
        const outs = Array.isArray(out) ? out : [out]
        return [
          outs[0]!.reshape([rows.length, width]),
          settings.map((s, i) => tf.sum(lossFunction(tf, s.loss)(ys[i]!, outs[i]!)).mul(s.weight)),
        ] as [Tensor, Tensor[]]
      })
      tf.dispose([x, ys].flat())
      // Read back with data(), never dataSync(): the webgpu backend cannot read synchronously in Node.
      const [values, ...sums] = await Promise.all([pred.data(), ...losses.map((l) => l.data())])
      tf.dispose([pred, ...losses])
      first.set(values as Float32Array, from * width)
      sums.forEach((s, i) => (lossSums[i]! += s[0]!))
    }
  } finally {
    source.dispose()
  }
  const metrics: Record<string, number> = { loss: lossSums.reduce((a, b) => a + b, 0) / Math.max(n, 1) }
  if (settings.length > 1) settings.forEach((s, i) => (metrics[`${s.name}_loss`] = lossSums[i]! / n))
  const output = model.outputNames[0]!
  return data.task === 'regression'
    ? regressionEvaluation(data.y, first, metrics, output, split)
    : classificationEvaluation(data.y, first, width, data.classes, metrics, output, split)
}

/** Saved weights (a run's, an imported model's) on the dataset's test split. */
export async function evaluateSaved(
  tf: Tf,
  job: TrainJob & { init: NonNullable<TrainJob['init']> },
  data: LoadedDataset,
): Promise<Evaluation> {
  const test = testPart(data)
  if (!test) throw new DataMismatchError(`The dataset "${data.id}" has no test split to evaluate on.`)
  const model = await buildModel(tf, job)
  try {
    loadWeightsInto(tf, model, job.init.files, job.init.source)
    return await evaluateModel(tf, model, test, job.compile, job.training.batchSize)
  } finally {
    disposeModel(model)
  }
}
