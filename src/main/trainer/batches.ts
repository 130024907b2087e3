// The samples a model trains on, a batch at a time, as its Inputs and outputs want them.
import type { CompileSettings } from '../../shared/graph/schema'
import type { LoadedDataset } from '../datasets/builtins'
import type { Tf } from './backends'
import { checkDataFits, labelsFor, outputSettings } from './outputs'

type Tensor = import('@tensorflow/tfjs').Tensor
type LayersModel = import('@tensorflow/tfjs').LayersModel

/**
 * The samples, fed to tfjs a batch at a time: x stays as the dataset holds it (uint8 pixels for the
 * image datasets) and each batch is converted to the model's dtype and scaled when it is built, so
 * training needs the dataset's raw size plus a few batches, not a float32 copy of everything.
 * Labels are small and held as whole tensors, shaped for each output's loss.
 */
export interface BatchSource {
  count: number
  /** The x tensor for these samples, shaped for the model's Input (one per Input when it has several). */
  x(indices: ArrayLike<number>): Tensor | Tensor[]
  /** Each output's labels for these samples. */
  ys(indices: ArrayLike<number>): Tensor[]
  dispose(): void
}

/** Checks that the data fits the model and makes its batch source, or explains why it does not fit. */
export function batchSource(
  tf: Tf,
  model: LayersModel,
  data: LoadedDataset,
  compile: CompileSettings,
): BatchSource {
  checkDataFits(
    model.inputs.map((i) => i.shape.slice(1)),
    data.sampleShape,
    data.id,
    (data.more ?? []).map((m) => m.sampleShape),
  )
  // Each Input's samples: the dataset's x, then its further inputs (a dataset with two, say).
  const feeds = [
    { x: data.x, sampleShape: data.sampleShape, scale: data.xScale ?? 1 },
    ...(data.more ?? []).map((m) => ({ ...m, scale: 1 })),
  ]
  const settings = outputSettings(compile, model.outputNames)
  const labels: Tensor[] = []
  try {
    model.outputs.forEach((out, i) => {
      const name =
        model.outputNames.length > 1 ? `the output layer ${model.outputNames[i]}` : 'the last layer'
      labels.push(labelsFor(tf, data, out.shape.at(-1) as number, settings[i]!.loss, name))
    })
  } catch (e) {
    tf.dispose(labels)
    throw e
  }
  const one = (
    input: (typeof model.inputs)[number],
    feed: (typeof feeds)[number],
    indices: ArrayLike<number>,
  ) => {
    // The dataset's lengths where the Input leaves them to the data (None).
    const want = input.shape.slice(1).map((d, i) => d ?? feed.sampleShape[i]!) as number[]
    const perSample = feed.sampleShape.reduce((a, b) => a * b, 1)
    const intInput = input.dtype === 'int32'
    const n = indices.length
    const buf = intInput ? new Int32Array(n * perSample) : new Float32Array(n * perSample)
    for (let i = 0; i < n; i++) {
      const from = indices[i]! * perSample
      const row = feed.x.subarray(from, from + perSample)
      if (feed.scale === 1) buf.set(row, i * perSample)
      else for (let k = 0, o = i * perSample; k < perSample; k++) buf[o + k] = row[k]! * feed.scale
    }
    return tf.tensor(buf, [n, ...want], intInput ? 'int32' : 'float32')
  }
  return {
    count: data.y.length,
    x(indices) {
      if (feeds.length === 1) return one(model.inputs[0]!, feeds[0]!, indices)
      return model.inputs.map((input, k) => one(input, feeds[k]!, indices))
    },
    ys(indices) {
      return tf.tidy(() => {
        const idx = tf.tensor1d(Int32Array.from(indices), 'int32')
        return labels.map((y) => tf.gather(y, idx))
      })
    },
    dispose: () => tf.dispose(labels),
  }
}
