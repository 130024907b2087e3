// Losses, metrics and labels per model output. A model with several outputs trains each on the
// dataset's labels, with its own loss and loss weight (tfjs has no lossWeights, so a weight other
// than 1 becomes a scaled loss function).
import type { CompileSettings, Loss } from '../../shared/graph/schema'
import type { LoadedDataset } from '../datasets/builtins'
import type { Tf } from './backends'

type Tensor = import('@tensorflow/tfjs').Tensor
type LossFn = (yTrue: Tensor, yPred: Tensor) => Tensor

/** A problem between the model and the data, explained for the user. */
export class DataMismatchError extends Error {
  override name = 'DataMismatchError'
}

/**
 * Whether a dataset's samples fit a model's Inputs (the trainer's check, and export's, so that a
 * Python script is never written for data its model cannot take): one Input, whose size per sample
 * is the dataset's (a reshape between the two is allowed, as training does it).
 */
export function checkDataFits(
  inputShapes: (number | null)[][],
  sampleShape: number[],
  datasetId: string,
  more: number[][] = [],
): void {
  const feeds = 1 + more.length
  if (inputShapes.length !== feeds)
    throw new DataMismatchError(
      `This dataset feeds ${feeds === 1 ? 'one input' : `${feeds} inputs`}, but the model has ${inputShapes.length} Input layer${inputShapes.length === 1 ? '' : 's'}.`,
    )
  more.forEach((shape, k) =>
    fitsOne(inputShapes[k + 1]!, shape, `input ${k + 2} of the dataset "${datasetId}"`),
  )
  fitsOne(
    inputShapes[0]!,
    sampleShape,
    feeds === 1 ? `the dataset "${datasetId}"` : `input 1 of the dataset "${datasetId}"`,
  )
}

/** One Input against the samples `source` gives (a phrase: `the dataset "spirals"`). */
function fitsOne(want: (number | null)[], sampleShape: number[], source: string): void {
  const perSample = sampleShape.reduce((a, b) => a * b, 1)
  // A length left to the data (None) takes the dataset's: same rank, the other lengths equal.
  if (want.includes(null)) {
    if (want.length === sampleShape.length && want.every((d, i) => d === null || d === sampleShape[i])) return
    throw new DataMismatchError(
      `The model's Input expects samples of shape [${want.map((d) => d ?? 'None').join(', ')}], but ${source} gives ` +
        `[${sampleShape.join(', ')}]. Set the Input layer's shape to [${sampleShape.join(', ')}], or give None where the data sets the length.`,
    )
  }
  const wanted = want.reduce<number>((a, b) => a * (b ?? NaN), 1)
  if (wanted !== perSample)
    throw new DataMismatchError(
      `The model's Input expects samples of shape [${want.join(', ')}], but ${source} gives ` +
        `[${sampleShape.join(', ')}]. Set the Input layer's shape to [${sampleShape.join(', ')}].`,
    )
}

/** Keras loss names → tfjs's names for the same loss. */
export const TFJS_LOSS: Record<Loss, string> = {
  sparse_categorical_crossentropy: 'sparseCategoricalCrossentropy',
  categorical_crossentropy: 'categoricalCrossentropy',
  binary_crossentropy: 'binaryCrossentropy',
  mean_squared_error: 'meanSquaredError',
  mean_absolute_error: 'meanAbsoluteError',
}

export interface OutputSetting {
  name: string
  loss: Loss
  weight: number
}

/**
 * Each output's loss and weight: its own setting where the document has one, else the model's loss.
 * A weighted sparse loss trains as the same loss on one-hot labels: tfjs only accepts integer labels
 * for its own named sparse loss, not for a function that scales it.
 */
export const outputSettings = (compile: CompileSettings, names: string[]): OutputSetting[] =>
  names.map((name) => {
    const loss = compile.outputs?.[name]?.loss ?? compile.loss
    const weight = compile.outputs?.[name]?.weight ?? 1
    return {
      name,
      weight,
      loss: loss === 'sparse_categorical_crossentropy' && weight !== 1 ? 'categorical_crossentropy' : loss,
    }
  })

export function lossFunction(tf: Tf, loss: Loss): LossFn {
  switch (loss) {
    case 'sparse_categorical_crossentropy':
      return (y, p) =>
        tf.metrics.categoricalCrossentropy(tf.oneHot(tf.cast(y.flatten(), 'int32'), p.shape.at(-1)!), p)
    case 'categorical_crossentropy':
      return tf.metrics.categoricalCrossentropy
    case 'binary_crossentropy':
      return tf.metrics.binaryCrossentropy
    case 'mean_squared_error':
      return tf.metrics.meanSquaredError
    case 'mean_absolute_error':
      return tf.metrics.meanAbsoluteError
    default: {
      const never: never = loss
      throw new Error(`Unknown loss ${String(never)}`)
    }
  }
}

/** The loss tfjs gets for one output: its name, or a scaled function when the weight is not 1. */
export function lossFor(tf: Tf, s: OutputSetting): string | LossFn {
  if (s.weight === 1) return TFJS_LOSS[s.loss]
  const base = lossFunction(tf, s.loss)
  return (y, p) => tf.mul(base(y, p), s.weight)
}

/** The accuracy that fits an output's loss (tfjs cannot infer it from a scaled loss function). */
export function accuracyFor(tf: Tf, loss: Loss): LossFn | null {
  switch (loss) {
    case 'sparse_categorical_crossentropy':
      return tf.metrics.sparseCategoricalAccuracy
    case 'categorical_crossentropy':
      return tf.metrics.categoricalAccuracy
    case 'binary_crossentropy':
      return tf.metrics.binaryAccuracy
    default:
      return null
  }
}

/** The label tensor for one output, shaped for its loss, or a message saying how to fix the model. */
export function labelsFor(tf: Tf, data: LoadedDataset, outDim: number, loss: Loss, layer: string): Tensor {
  const n = data.y.length
  if (data.task === 'regression') {
    if (loss !== 'mean_squared_error' && loss !== 'mean_absolute_error')
      throw new DataMismatchError(
        `"${data.id}" is a regression task (it predicts a number), so use the loss mean_squared_error or mean_absolute_error, not ${loss}.`,
      )
    if (outDim !== 1)
      throw new DataMismatchError(
        `"${data.id}" predicts one number per sample: set ${layer}'s units to 1 (no activation).`,
      )
    return tf.tensor2d(data.y, [n, 1], 'float32')
  }
  const k = data.classes.length
  if (loss === 'sparse_categorical_crossentropy') {
    if (outDim !== k)
      throw new DataMismatchError(
        `The model outputs ${outDim} value${outDim === 1 ? '' : 's'} per sample, but the dataset has ${k} classes. Set ${layer}'s units to ${k}.`,
      )
    return tf.tensor1d(data.y, 'float32')
  }
  if (outDim === k && k > 1) return tf.tidy(() => tf.oneHot(tf.tensor1d(data.y, 'int32'), k).toFloat())
  if (outDim === 1 && (k === 2 || loss !== 'binary_crossentropy'))
    return tf.tensor2d(data.y, [n, 1], 'float32')
  throw new DataMismatchError(
    `The model outputs ${outDim} values per sample, but the dataset has ${k} classes. Set ${layer}'s units to ${k}` +
      (k === 2 ? ' (or 1 with a sigmoid for binary_crossentropy).' : '.'),
  )
}

type LayersModel = import('@tensorflow/tfjs').LayersModel

/**
 * Validation logs for a model with several outputs, computed here: tfjs 4.22 misaligns the values of
 * a multi-output evaluate (val_loss comes out as the last output's loss). Keys follow tfjs's training
 * logs: val_loss, val_<output>_loss and val_<output>_<accuracy function>.
 */
export async function evaluateOutputs(
  tf: Tf,
  model: LayersModel,
  x: Tensor | Tensor[],
  ys: Tensor[],
  settings: OutputSetting[],
  withAccuracy: boolean,
  batchSize: number,
): Promise<Record<string, number>> {
  // Read back with data(), never dataSync(): the webgpu backend cannot read synchronously in Node.
  const named = tf.tidy(() => {
    const predicted = model.predict(x, { batchSize })
    const preds = Array.isArray(predicted) ? predicted : [predicted]
    const out: [string, Tensor, boolean][] = []
    settings.forEach((s, i) => {
      out.push([
        `val_${s.name}_loss`,
        tf.mean(lossFunction(tf, s.loss)(ys[i]!, preds[i]!)).mul(s.weight),
        true,
      ])
      const acc = withAccuracy ? accuracyFor(tf, s.loss) : null
      if (acc) out.push([`val_${s.name}_${acc.name}`, tf.mean(acc(ys[i]!, preds[i]!)), false])
    })
    return out
  })
  try {
    const values = await Promise.all(named.map(([, t]) => t.data()))
    const logs: Record<string, number> = {}
    let total = 0
    named.forEach(([key, , isLoss], i) => {
      logs[key] = values[i]![0]!
      if (isLoss) total += values[i]![0]!
    })
    logs.val_loss = total
    return logs
  } finally {
    tf.dispose(named.map(([, t]) => t))
  }
}
