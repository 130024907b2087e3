import type { CompileSettings, TrainingSettings } from '../../shared/graph/schema'
import type { KerasModelConfig } from '../../shared/keras/config'
import type { LoadedDataset } from '../datasets/builtins'
import type { Evaluation } from '../../shared/evaluation'
import { boundaryGrid, decisionBoundary } from './boundary'
import { gradientNorms, type LayerGradient } from './gradients'
import type { DecisionBoundary } from '../../shared/ipc/contract'
import { evaluateModel, testPart } from './evaluate'
import { seedMathRandom } from '../datasets/random'
import { callbackRunner, changesRate, learningRateOf, type CallbackRunner } from './callbacks'
import { loadWeightsInto, type TfjsModelFiles } from './weights'
import type { Tf } from './backends'
import {
  accuracyFor,
  DataMismatchError,
  evaluateOutputs,
  lossFor,
  outputSettings,
  TFJS_LOSS,
} from './outputs'

export { DataMismatchError }
export { batchSource, type BatchSource } from './batches'
import { batchSource, type BatchSource } from './batches'
import { adam } from './adam'
type LossFn = (yTrue: Tensor, yPred: Tensor) => Tensor

type Tensor = import('@tensorflow/tfjs').Tensor
type LayersModel = import('@tensorflow/tfjs').LayersModel
type TensorContainer = import('@tensorflow/tfjs').TensorContainer

/** tfjs abbreviates some metric names in its logs; the UI shows Keras's names. */
const normalizeKey = (k: string): string => k.replace(/^(val_)?acc$/, '$1accuracy')
export function normalizeLogs(
  logs: Record<string, unknown> | undefined,
  firstOutput?: string,
): Record<string, number> {
  const out: Record<string, number> = {}
  for (const [k, v] of Object.entries(logs ?? {})) if (typeof v === 'number') out[normalizeKey(k)] = v
  // With several outputs, the charts' accuracy is the first output's (each output's stays in the logs).
  if (firstOutput)
    for (const prefix of ['', 'val_']) {
      const key = Object.keys(out).find(
        (k) => k.startsWith(`${prefix}${firstOutput}_`) && /accuracy$/i.test(k),
      )
      if (key && out[`${prefix}accuracy`] === undefined) out[`${prefix}accuracy`] = out[key]!
    }
  return out
}

export interface Progress {
  epoch: number
  epochs: number
  step: number
  /** Batches in an epoch (Keras's steps). */
  stepsPerEpoch?: number
  /** At an epoch's end: the validation rows' confusion matrix ([true][predicted]), for classification. */
  confusion?: number[][]
  /** At an epoch's end, for two input features: the model's decision over the data's plane. */
  boundary?: DecisionBoundary
  /** At an epoch's end: each trainable layer's gradient norm on a batch of training rows. */
  gradients?: LayerGradient[]
  logs: Record<string, number>
  samplesPerSec: number
  elapsedMs: number
  etaMs: number
}

export interface TrainHooks {
  onBatch?: (p: Progress) => void
  onEpoch?: (p: Progress) => void
  shouldStop?: () => boolean
  /** While this gives a promise, training waits after the batch in flight (see pause.ts). */
  paused?: () => Promise<void> | undefined
  /** Said when training has paused (after its batch) and when it goes on. */
  onPause?: (paused: boolean) => void
  /** Milliseconds between batch reports (the first batch of each epoch is always reported). */
  batchReportMs?: number
}

export interface TrainJob {
  modelConfig: KerasModelConfig
  compile: CompileSettings
  training: TrainingSettings
  /** Weights to start from (fine-tuning), and where they came from for messages. */
  init?: { files: TfjsModelFiles; source: string }
}

export interface TrainResult {
  stopped: boolean
  epochsDone: number
  final: Record<string, number>
  model: LayersModel
  /** The model on the dataset's test split, when it has one. */
  evaluation?: Evaluation
  /** What the callbacks did (stopped early, lowered the learning rate, kept the best epoch). */
  note?: string
}

/** The rows a live confusion matrix counts: the validation rows (the first 5,000), of up to 20 classes. */
function validationRows(data: LoadedDataset, from: number): LoadedDataset | undefined {
  const n = Math.min(data.y.length - from, 5000)
  if (n < 1 || data.task === 'regression' || data.classes.length > 20) return undefined
  const per = data.sampleShape.reduce((a, b) => a * b, 1)
  return {
    ...data,
    x: data.x.subarray(from * per, (from + n) * per),
    y: data.y.subarray(from, from + n),
    more: data.more?.map((m) => {
      const k = m.sampleShape.reduce((a, b) => a * b, 1)
      return { ...m, x: m.x.subarray(from * k, (from + n) * k) }
    }),
    test: undefined,
  }
}

/** The indices from..to-1, shuffled with Math.random (seeded by train) when asked, as tfjs's fit shuffles. */
function order(from: number, to: number, shuffle: boolean): Int32Array {
  const idx = new Int32Array(to - from)
  for (let i = 0; i < idx.length; i++) idx[i] = from + i
  if (shuffle)
    for (let i = idx.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1))
      const t = idx[i]!
      idx[i] = idx[j]!
      idx[j] = t
    }
  return idx
}

function makeOptimizer(tf: Tf, c: CompileSettings) {
  switch (c.optimizer) {
    case 'adam':
      return adam(tf, c.learningRate)
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
  if (model.outputs.length === 1) {
    model.compile({
      optimizer: makeOptimizer(tf, job.compile),
      loss: TFJS_LOSS[job.compile.loss],
      metrics: job.compile.metrics,
    })
    return model
  }
  // Several outputs: a loss and weight each, and the accuracy that fits each loss.
  const settings = outputSettings(job.compile, model.outputNames)
  const wantsAccuracy = job.compile.metrics.some((m) => m === 'accuracy' || m === 'acc')
  const metrics: Record<string, LossFn> = {}
  for (const s of settings) {
    const acc = wantsAccuracy ? accuracyFor(tf, s.loss) : null
    if (acc) metrics[s.name] = acc
  }
  model.compile({
    optimizer: makeOptimizer(tf, job.compile),
    loss: settings.map((s) => lossFor(tf, s)) as never,
    metrics: metrics as never,
  })
  return model
}

/** Disposes a model built by `buildModel`, with the optimizer we made for it (tfjs leaves that to us). */
export function disposeModel(model: LayersModel): void {
  const optimizer = model.optimizer
  model.dispose()
  optimizer?.dispose()
}

/** Lets waiting messages in: setImmediate in Node; in the trainer window (Chromium), a macrotask. */
const yieldToEvents = (): Promise<void> =>
  new Promise((r) => (typeof setImmediate === 'function' ? setImmediate(r) : setTimeout(r, 0)))

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
  // The document's seed sets the initial weights, the shuffling and the dropout masks.
  const unseed = seedMathRandom(job.training.seed)
  try {
    return await trainSeeded(tf, job, data, hooks)
  } finally {
    unseed()
  }
}

async function trainSeeded(
  tf: Tf,
  job: TrainJob,
  data: LoadedDataset,
  hooks: TrainHooks,
): Promise<TrainResult> {
  const model = await buildModel(tf, job)
  let source: BatchSource | undefined
  let callbacks: CallbackRunner | undefined
  const held: Tensor[] = []
  try {
    if (job.init) loadWeightsInto(tf, model, job.init.files, job.init.source)
    source = batchSource(tf, model, data, job.compile)
    const src = source
    callbacks = callbackRunner(tf, model, job.training.callbacks, job.compile)
    const cbs = callbacks
    const reportRate = changesRate(job.training.callbacks)
    let early = false
    cbs.begin()
    const { epochs, batchSize, validationSplit, shuffle } = job.training
    const trainCount = Math.floor(data.y.length * (1 - validationSplit))
    if (trainCount < 1) throw new DataMismatchError('The validation split leaves no samples to train on.')
    const batchesPerEpoch = Math.ceil(trainCount / batchSize)
    const totalSamples = trainCount * epochs
    let started = performance.now()
    let samplesDone = 0
    let step = 0
    let epoch = 0
    let lastReport = -Infinity
    let lastYield = performance.now()
    let epochsDone = 0
    let final: Record<string, number> = {}
    // Speed (and time left) from after the first batch: it carries tfjs's warm-up (kernels compiled,
    // memory allocated), which would make a short run's estimate far too long.
    let warm: { at: number; samples: number } | undefined
    const progress = (logs: Record<string, number>): Progress => {
      const now = performance.now()
      const elapsedMs = now - started
      const rate = warm
        ? (samplesDone - warm.samples) / Math.max((now - warm.at) / 1000, 1e-6)
        : samplesDone / Math.max(elapsedMs / 1000, 1e-6)
      return {
        epoch: epoch + 1,
        epochs,
        step,
        stepsPerEpoch: batchesPerEpoch,
        logs,
        samplesPerSec: rate,
        elapsedMs,
        etaMs: rate > 0 ? ((totalSamples - samplesDone) / rate) * 1000 : 0,
      }
    }
    // tfjs's validationSplit takes the last fraction, before shuffling; so do we.
    const multi = model.outputs.length > 1
    const valCount = data.y.length - trainCount
    const batches = (from: number, to: number, shuffled: boolean) =>
      tf.data.generator(function* () {
        const idx = order(from, to, shuffled)
        for (let b = 0; b < idx.length; b += batchSize) {
          const part = idx.subarray(b, b + batchSize)
          const ys = src.ys(part)
          yield { xs: src.x(part), ys: multi ? ys : ys[0]! }
        }
      } as () => Iterator<TensorContainer>)
    const valConfusion = hooks.onEpoch ? validationRows(data, trainCount) : undefined
    const plane = hooks.onEpoch ? boundaryGrid(data) : undefined
    // The same training rows each epoch (64 at most: a fraction of a batch's cost), so the gradient
    // sizes compare from one epoch to the next.
    const gradientRows = Array.from({ length: Math.min(trainCount, batchSize, 64) }, (_, i) => i)
    // Several outputs: validate here (see evaluateOutputs), on whole tensors of the validation rows.
    let valMulti: { x: Tensor | Tensor[]; ys: Tensor[] } | null = null
    if (multi && valCount > 0) {
      const rows = order(trainCount, data.y.length, false)
      valMulti = { x: src.x(rows), ys: src.ys(rows) }
      held.push(...[valMulti.x].flat(), ...valMulti.ys)
    }
    const settings = outputSettings(job.compile, model.outputNames)
    const wantsAccuracy = job.compile.metrics.some((m) => m === 'accuracy' || m === 'acc')
    const epochLogs = async (logs: Record<string, unknown> | undefined) => {
      const all = { ...(logs ?? {}) }
      if (valMulti)
        Object.assign(
          all,
          await evaluateOutputs(tf, model, valMulti.x, valMulti.ys, settings, wantsAccuracy, batchSize),
        )
      return normalizeLogs(all, multi ? model.outputNames[0] : undefined)
    }
    await model.fitDataset(batches(0, trainCount, shuffle), {
      epochs,
      validationData: !multi && valCount > 0 ? batches(trainCount, data.y.length, false) : undefined,
      verbose: 0,
      callbacks: {
        onEpochBegin: async (e) => {
          epoch = e
        },
        onBatchEnd: async (batch, logs) => {
          step++
          cbs.afterBatch(step)
          samplesDone += batch === batchesPerEpoch - 1 ? trainCount - batch * batchSize : batchSize
          const now = performance.now()
          if (step === 1 && batchesPerEpoch * epochs > 1) warm = { at: now, samples: samplesDone }
          if (hooks.onBatch && (batch === 0 || now - lastReport >= (hooks.batchReportMs ?? 250))) {
            lastReport = now
            hooks.onBatch(progress(normalizeLogs(logs, multi ? model.outputNames[0] : undefined)))
          }
          // Let stop requests and other messages in between batches.
          if (now - lastYield > 50) {
            lastYield = now
            await yieldToEvents()
          }
          const hold = hooks.paused?.()
          if (hold) {
            hooks.onPause?.(true)
            const at = performance.now()
            await hold
            // Paused time counts neither in the speed nor in the time left.
            const gone = performance.now() - at
            started += gone
            if (warm) warm.at += gone
            lastYield = performance.now()
            hooks.onPause?.(false)
          }
          if (hooks.shouldStop?.()) model.stopTraining = true
        },
        onEpochEnd: async (e, logs) => {
          epochsDone++
          final = await epochLogs(logs)
          if (reportRate) final.learning_rate = learningRateOf(model)
          if (cbs.afterEpoch(e, final)) {
            early = true
            model.stopTraining = true
          }
          const p = progress(final)
          // The confusion matrix of the validation rows, live: what the model mixes up so far.
          const val =
            valConfusion &&
            (await evaluateModel(tf, model, valConfusion, job.compile, batchSize, 'validation'))
          if (val && val.confusion) p.confusion = val.confusion
          if (plane) p.boundary = await decisionBoundary(tf, model, plane)
          if (hooks.onEpoch && trainCount > 0)
            p.gradients = await gradientNorms(tf, model, src, job.compile, gradientRows)
          hooks.onEpoch?.(p)
          if (hooks.shouldStop?.()) model.stopTraining = true
        },
      },
    })
    const stopped = !!hooks.shouldStop?.() || (epochsDone < epochs && !early)
    // The weights the callbacks keep (the best epoch's) are the run's, evaluated and saved.
    cbs.end()
    // The test split, once, after training (finished or stopped): what the model learned, on samples
    // it never saw. Its loss and metrics go in the final figures as test_*.
    const test = testPart(data)
    let evaluation: Evaluation | undefined
    if (test && (epochsDone > 0 || job.init)) {
      evaluation = await evaluateModel(tf, model, test, job.compile, batchSize)
      for (const [k, v] of Object.entries(evaluation.metrics)) final[`test_${k}`] = v
    }
    const note = cbs.note()
    return { stopped, epochsDone, final, model, evaluation, ...(note ? { note } : {}) }
  } catch (err) {
    disposeModel(model)
    throw err
  } finally {
    source?.dispose()
    callbacks?.dispose()
    tf.dispose(held)
  }
}
