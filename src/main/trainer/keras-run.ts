// What a run on the keras rung hands the user's Keras, and what it takes back: the same samples,
// splits and labels the in-app trainer would train on (prepared here, by the same code, as one .npz),
// the model in Keras 3's own JSON, the weights to start from as a .keras file, and the trained
// .keras file turned back into TensorFlow.js weights.
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { KerasModelConfig } from '../../shared/keras/config'
import { toKeras3Config } from '../../shared/keras/keras3'
import type { LoadedDataset } from '../datasets/builtins'
import { writeNpy } from '../datasets/npy'
import { datasetNpz } from '../export/python-data'
import { readKerasFile, writeKerasFile } from '../export/keras-file'
import { kerasOptimizerConfig } from '../export/keras-json'
import { kerasWeightsToTfjs, runLayerWeights, tfjs } from '../export/keras-weights'
import { fileSaver, readTfjsModel } from '../export/tfjs-io'
import { boundaryGrid } from './boundary'
import { testPart } from './evaluate'
import { batchSource, buildModel, disposeModel } from './engine'
import { outputSettings } from './outputs'
import type { ToTrainer } from './protocol'

type Start = Extract<ToTrainer, { type: 'start' }>

/** The driver's start message (keras_driver.py reads it). */
export interface DriverStart {
  type: 'start'
  model: Record<string, unknown>
  compile: {
    optimizer: { class_name: string; config: Record<string, unknown> }
    loss: string | Record<string, string>
    loss_weights: Record<string, number> | null
    metrics: string[] | Record<string, string[]>
  }
  training: Start['training']
  /** The .npz: x_train, x_scale, further inputs, and each output's labels (y0_train, ...; y0_test, ...). */
  data: string
  outputs: string[]
  init: string | null
  save: string | null
  /**
   * What the epochs' live views need, as the in-app trainer has them: the classes the validation
   * rows' confusion counts (none for regression or over 20), and the grid of a two-feature dataset's
   * decision boundary.
   */
  live: {
    classes: number
    plane: { x: [number, number]; y: [number, number]; size: number; inputs: number[] } | null
  }
}

type LayersModel = import('@tensorflow/tfjs').LayersModel
type SymbolicTensor = import('@tensorflow/tfjs').SymbolicTensor

/** The model in Keras 3's dialect, as model_from_json reads it, each call's tensors from the built tfjs model. */
export const keras3Model = (config: KerasModelConfig, model: LayersModel): Record<string, unknown> =>
  toKeras3Config(config, (name, use, index) => {
    const out = [model.getLayer(name).getOutputAt(use) as SymbolicTensor | SymbolicTensor[]].flat()[index]
    return out ? { shape: out.shape, dtype: out.dtype } : undefined
  })

/** The config with every initializer (nested ones too: a Bidirectional's layer) made Zeros. */
function zeroInitialized<T>(v: T): T {
  if (Array.isArray(v)) return v.map(zeroInitialized) as T
  if (!v || typeof v !== 'object') return v
  return Object.fromEntries(
    Object.entries(v).map(([k, x]) => [
      k,
      k.endsWith('_initializer') && x && typeof x === 'object'
        ? { class_name: 'Zeros', config: {} }
        : zeroInitialized(x),
    ]),
  ) as T
}

/** The labels of `d` for each output, as the in-app trainer builds them, as npy arrays named y<k>_<split>. */
async function labelArrays(
  model: LayersModel,
  d: LoadedDataset,
  msg: Start,
  split: 'train' | 'test',
): Promise<Record<string, Uint8Array>> {
  const tf = await tfjs()
  const source = batchSource(tf as never, model, d, msg.compile)
  try {
    const ys = source.ys(Int32Array.from({ length: source.count }, (_, i) => i))
    try {
      const out: Record<string, Uint8Array> = {}
      for (const [k, y] of ys.entries())
        out[`y${k}_${split}.npy`] = writeNpy(y.shape, y.dataSync() as Float32Array, '<f4')
      return out
    } finally {
      tf.dispose(ys)
    }
  } finally {
    source.dispose()
  }
}

/**
 * Prepares a run in `dir`: the data (refused here, with the in-app trainer's sentences, when it
 * does not fit the model), the weights to start from, and the message for the driver.
 */
export async function prepareKerasRun(msg: Start, dir: string, data: LoadedDataset): Promise<DriverStart> {
  const tf = await tfjs()
  // Built and compiled as the in-app trainer builds it, for its output names, tensors and labels;
  // its weights are never used, so they start as zeros (an LSTM's orthogonal ones take seconds in tfjs).
  const model = await buildModel(tf as never, { ...msg, modelConfig: zeroInitialized(msg.modelConfig) })
  try {
    const names = model.outputNames
    const extra = await labelArrays(model, data, msg, 'train')
    const test = testPart(data)
    if (test) Object.assign(extra, await labelArrays(model, test, msg, 'test'))
    const file = join(dir, 'data.npz')
    await writeFile(file, datasetNpz(data, extra))
    const keras = keras3Model(msg.modelConfig, model)
    let init: string | null = null
    if (msg.init) {
      const layers = await runLayerWeights(msg.modelConfig, await readTfjsModel(msg.init), msg.init)
      init = join(dir, 'init.keras')
      await writeFile(init, await writeKerasFile(JSON.stringify(keras), msg.modelConfig.config.name, layers))
    }
    const settings = outputSettings(msg.compile, names)
    const multi = names.length > 1
    const plane = multi ? undefined : boundaryGrid(data)
    return {
      type: 'start',
      model: keras,
      compile: {
        optimizer: kerasOptimizerConfig(msg.compile),
        loss: multi ? Object.fromEntries(settings.map((s) => [s.name, s.loss])) : settings[0]!.loss,
        loss_weights: multi ? Object.fromEntries(settings.map((s) => [s.name, s.weight])) : null,
        metrics: multi ? Object.fromEntries(names.map((n) => [n, msg.compile.metrics])) : msg.compile.metrics,
      },
      training: msg.training,
      data: file,
      outputs: names,
      init,
      save: msg.saveDir ? join(dir, 'model.keras') : null,
      live: {
        classes: data.task === 'regression' || multi || data.classes.length > 20 ? 0 : data.classes.length,
        plane: plane ? { x: plane.x, y: plane.y, size: plane.size, inputs: Array.from(plane.inputs) } : null,
      },
    }
  } finally {
    disposeModel(model)
  }
}

/** The .keras file the driver saved, as TensorFlow.js files in `saveDir` (where every run keeps its weights). */
export async function keepKerasRun(
  config: KerasModelConfig,
  kerasFile: string,
  saveDir: string,
): Promise<void> {
  const bytes = await readFile(kerasFile)
  const shown = 'the model Keras trained'
  const k = await readKerasFile(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), shown)
  const files = await kerasWeightsToTfjs(config, k.weights, shown)
  await fileSaver(saveDir).save!({
    modelTopology: files.modelJson.modelTopology,
    weightSpecs: files.weightSpecs,
    weightData: files.weightData.slice().buffer,
  })
}
