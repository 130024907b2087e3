import type { CompileSettings, Loss, TrainingSettings } from '../../shared/graph/schema'
import type { KerasModelConfig } from '../../shared/keras/config'
import type { LoadedDataset } from '../datasets/builtins'
import type { Tf } from './backends'

type Tensor = import('@tensorflow/tfjs').Tensor
type LayersModel = import('@tensorflow/tfjs').LayersModel

/** Keras loss names → tfjs's names for the same loss. */
const TFJS_LOSS: Record<Loss, string> = {
  sparse_categorical_crossentropy: 'sparseCategoricalCrossentropy',
  categorical_crossentropy: 'categoricalCrossentropy',
  binary_crossentropy: 'binaryCrossentropy',
  mean_squared_error: 'meanSquaredError',
  mean_absolute_error: 'meanAbsoluteError',
}

/** tfjs abbreviates some metric names in its logs; the UI shows Keras's names. */
const normalizeKey = (k: string): string => k.replace(/^(val_)?acc$/, '$1accuracy')
export function normalizeLogs(logs: Record<string, unknown> | undefined): Record<string, number> {
  const out: Record<string, number> = {}
  for (const [k, v] of Object.entries(logs ?? {})) if (typeof v === 'number') out[normalizeKey(k)] = v
  return out
}

export interface Progress {
  epoch: number
  epochs: number
  step: number
  logs: Record<string, number>
  samplesPerSec: number
  elapsedMs: number
  etaMs: number
}

export interface TrainHooks {
  onBatch?: (p: Progress) => void
  onEpoch?: (p: Progress) => void
  shouldStop?: () => boolean
  /** Milliseconds between batch reports (the first batch of each epoch is always reported). */
  batchReportMs?: number
}

export interface TrainJob {
  modelConfig: KerasModelConfig
  compile: CompileSettings
  training: TrainingSettings
}

export interface TrainResult {
  stopped: boolean
  epochsDone: number
  final: Record<string, number>
  model: LayersModel
}

/** A problem between the model and the data, explained for the user. */
export class DataMismatchError extends Error {
  override name = 'DataMismatchError'
}

function inputShapeOf(model: LayersModel): number[] {
  if (model.inputs.length !== 1)
    throw new DataMismatchError(
      `This dataset feeds one input, but the model has ${model.inputs.length} Input layers.`,
    )
  return model.inputs[0]!.shape.slice(1) as number[]
}

/** Builds x and y tensors shaped for this model, or explains why the data does not fit it. */
export function prepareTensors(
  tf: Tf,
  model: LayersModel,
  data: LoadedDataset,
  loss: Loss,
): { xs: Tensor; ys: Tensor } {
  const want = inputShapeOf(model)
  const perSample = data.sampleShape.reduce((a, b) => a * b, 1)
  const wanted = want.reduce((a, b) => a * (b ?? NaN), 1)
  if (wanted !== perSample)
    throw new DataMismatchError(
      `The model's Input expects samples of shape [${want.join(', ')}], but the dataset "${data.id}" gives ` +
        `[${data.sampleShape.join(', ')}]. Set the Input layer's shape to [${data.sampleShape.join(', ')}].`,
    )
  if (model.outputs.length !== 1)
    throw new DataMismatchError(
      `This dataset has one label per sample, but the model has ${model.outputs.length} outputs.`,
    )
  const outDim = model.outputs[0]!.shape.at(-1) as number
  const n = data.y.length
  const k = data.classes.length
  const lastLayer = 'the last layer'
  return tf.tidy(() => {
    const xs = tf.tensor(data.x, [n, ...want], model.inputs[0]!.dtype === 'int32' ? 'int32' : 'float32')
    let ys: Tensor
    if (loss === 'sparse_categorical_crossentropy') {
      if (outDim !== k)
        throw new DataMismatchError(
          `The model outputs ${outDim} value${outDim === 1 ? '' : 's'} per sample, but the dataset has ${k} classes. Set ${lastLayer}'s units to ${k}.`,
        )
      ys = tf.tensor1d(data.y, 'float32')
    } else if (outDim === k && k > 1) {
      ys = tf.oneHot(tf.tensor1d(data.y, 'int32'), k).toFloat()
    } else if (outDim === 1 && (k === 2 || loss !== 'binary_crossentropy')) {
      ys = tf.tensor2d(data.y, [n, 1], 'float32')
    } else {
      throw new DataMismatchError(
        `The model outputs ${outDim} values per sample, but the dataset has ${k} classes. Set ${lastLayer}'s units to ${k}` +
          (k === 2 ? ' (or 1 with a sigmoid for binary_crossentropy).' : '.'),
      )
    }
    return { xs, ys }
  })
}

function makeOptimizer(tf: Tf, c: CompileSettings) {
  switch (c.optimizer) {
    case 'adam':
      return tf.train.adam(c.learningRate)
    case 'sgd':
      return tf.train.sgd(c.learningRate)
    case 'rmsprop':
      return tf.train.rmsprop(c.learningRate)
    case 'adagrad':
      return tf.train.adagrad(c.learningRate)
    case 'adadelta':
      return tf.train.adadelta(c.learningRate)
    case 'adamax':
      return tf.train.adamax(c.learningRate)
    default: {
      const never: never = c.optimizer
      throw new Error(`Unknown optimizer ${String(never)}`)
    }
  }
}

/** Builds the tfjs model from the canonical Keras config and compiles it. */
export async function buildModel(
  tf: Tf,
  job: Pick<TrainJob, 'modelConfig' | 'compile'>,
): Promise<LayersModel> {
  const model = await tf.models.modelFromJSON({ modelTopology: job.modelConfig as never })
  model.compile({
    optimizer: makeOptimizer(tf, job.compile),
    loss: TFJS_LOSS[job.compile.loss],
    metrics: job.compile.metrics,
  })
  return model
}

/** Disposes a model built by `buildModel`, with the optimizer we made for it (tfjs leaves that to us). */
export function disposeModel(model: LayersModel): void {
  const optimizer = model.optimizer
  model.dispose()
  optimizer?.dispose()
}

const yieldToEvents = (): Promise<void> => new Promise((r) => setImmediate(r))

/**
 * Trains a model on in-memory data with `model.fit`, reporting throttled batch metrics and every
 * epoch. Tensors it makes are disposed before it returns; the caller owns (and disposes) the model.
 */
export async function train(
  tf: Tf,
  job: TrainJob,
  data: LoadedDataset,
  hooks: TrainHooks = {},
): Promise<TrainResult> {
  const model = await buildModel(tf, job)
  let tensors: { xs: Tensor; ys: Tensor } | undefined
  try {
    tensors = prepareTensors(tf, model, data, job.compile.loss)
    const { epochs, batchSize, validationSplit, shuffle } = job.training
    const trainCount = Math.floor(data.y.length * (1 - validationSplit))
    if (trainCount < 1) throw new DataMismatchError('The validation split leaves no samples to train on.')
    const batchesPerEpoch = Math.ceil(trainCount / batchSize)
    const totalSamples = trainCount * epochs
    const started = performance.now()
    let samplesDone = 0
    let step = 0
    let epoch = 0
    let lastReport = -Infinity
    let lastYield = performance.now()
    let epochsDone = 0
    let final: Record<string, number> = {}
    const progress = (logs: Record<string, number>): Progress => {
      const elapsedMs = performance.now() - started
      const rate = samplesDone / Math.max(elapsedMs / 1000, 1e-6)
      return {
        epoch: epoch + 1,
        epochs,
        step,
        logs,
        samplesPerSec: rate,
        elapsedMs,
        etaMs: rate > 0 ? ((totalSamples - samplesDone) / rate) * 1000 : 0,
      }
    }
    await model.fit(tensors.xs, tensors.ys, {
      epochs,
      batchSize,
      validationSplit,
      shuffle,
      verbose: 0,
      callbacks: {
        onEpochBegin: async (e) => {
          epoch = e
        },
        onBatchEnd: async (batch, logs) => {
          step++
          samplesDone += batch === batchesPerEpoch - 1 ? trainCount - batch * batchSize : batchSize
          const now = performance.now()
          if (hooks.onBatch && (batch === 0 || now - lastReport >= (hooks.batchReportMs ?? 250))) {
            lastReport = now
            hooks.onBatch(progress(normalizeLogs(logs)))
          }
          // Let stop requests and other messages in between batches.
          if (now - lastYield > 50) {
            lastYield = now
            await yieldToEvents()
          }
          if (hooks.shouldStop?.()) model.stopTraining = true
        },
        onEpochEnd: async (_e, logs) => {
          epochsDone++
          final = normalizeLogs(logs)
          hooks.onEpoch?.(progress(final))
          if (hooks.shouldStop?.()) model.stopTraining = true
        },
      },
    })
    return { stopped: !!hooks.shouldStop?.() || epochsDone < epochs, epochsDone, final, model }
  } catch (err) {
    disposeModel(model)
    throw err
  } finally {
    tensors?.xs.dispose()
    tensors?.ys.dispose()
  }
}
