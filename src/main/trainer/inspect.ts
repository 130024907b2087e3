// Inside a trained model for one sample: every layer's output, as the "Inside the model" view draws
// it (the feature maps after each convolution and pooling, a Dense layer's activations, the output).
import type { Inspection, LayerActivation } from '../../shared/ipc/contract'
import type { LoadedDataset } from '../datasets/builtins'
import type { Tf } from './backends'
import { batchSource } from './batches'
import { buildModel, disposeModel, type TrainJob } from './engine'
import { testPart } from './evaluate'
import { DataMismatchError } from './outputs'
import { loadWeightsInto } from './weights'

type Tensor = import('@tensorflow/tfjs').Tensor
type SymbolicTensor = import('@tensorflow/tfjs').SymbolicTensor

const MAX_MAPS = 16
const MAX_VALUES = 128
/** Larger maps are shown at their first 64 × 64: enough to see what a filter found. */
const MAX_SIDE = 64

/** A [1, h, w, c] output as up to 16 channels' maps, each scaled to 0-255 over itself. */
function maps(values: Float32Array, h: number, w: number, c: number) {
  const shownH = Math.min(h, MAX_SIDE)
  const shownW = Math.min(w, MAX_SIDE)
  const out: number[][] = []
  for (let ch = 0; ch < Math.min(c, MAX_MAPS); ch++) {
    let lo = Infinity
    let hi = -Infinity
    for (let i = 0; i < h * w; i++) {
      const v = values[i * c + ch]!
      if (v < lo) lo = v
      if (v > hi) hi = v
    }
    const span = hi > lo ? hi - lo : 1
    const m = new Array<number>(shownH * shownW)
    for (let y = 0; y < shownH; y++)
      for (let x = 0; x < shownW; x++) {
        const v = values[(y * w + x) * c + ch]!
        m[y * shownW + x] = Number.isFinite(v) ? Math.round(((v - lo) / span) * 255) : 0
      }
    out.push(m)
  }
  return { height: shownH, width: shownW, maps: out }
}

/** Runs saved weights on sample `index` of `split`, keeping the output of every layer. */
export async function inspectSaved(
  tf: Tf,
  job: TrainJob & { init: NonNullable<TrainJob['init']> },
  data: LoadedDataset,
  split: 'train' | 'test',
  index: number,
): Promise<Inspection> {
  const part = split === 'test' ? testPart(data) : data
  if (!part) throw new DataMismatchError(`The dataset "${data.id}" has no test split to look at.`)
  const count = part.y.length
  if (index >= count)
    throw new DataMismatchError(
      `Sample ${index} is past the end of the ${split} split, which has ${count.toLocaleString('en-US')} (0 to ${count - 1}).`,
    )
  const model = await buildModel(tf, job)
  const source = batchSource(tf, model, part, job.compile)
  try {
    loadWeightsInto(tf, model, job.init.files, job.init.source)
    // Every layer whose output is one tensor (a layer used twice has several: left out).
    const taps: { name: string; className: string; out: SymbolicTensor }[] = []
    for (const l of model.layers) {
      if (l.getClassName() === 'InputLayer') continue
      try {
        const out = l.output
        if (!Array.isArray(out)) taps.push({ name: l.name, className: l.getClassName(), out })
      } catch {
        // More than one inbound node: no single output to show.
      }
    }
    // The first output's place among them (a model's output layer is one of its layers, so it is there).
    let outAt = taps.findIndex((t) => t.out === model.outputs[0])
    const outputs = taps.map((t) => t.out)
    if (outAt < 0) outAt = outputs.push(model.outputs[0]!) - 1
    const viewer = tf.model({ inputs: model.inputs, outputs })
    const x = source.x([index])
    const got = [viewer.predict(x)].flat() as Tensor[]
    tf.dispose(x)
    const layers: LayerActivation[] = []
    for (const [i, t] of taps.entries()) {
      const shape = got[i]!.shape
      const values = (await got[i]!.data()) as Float32Array
      if (shape.length === 4) {
        const [, h, w, c] = shape as number[]
        layers.push({
          kind: 'maps',
          layer: t.name,
          className: t.className,
          channels: c!,
          ...maps(values, h!, w!, c!),
        })
      } else if (shape.length === 2) {
        let zeros = 0
        for (const v of values) if (v === 0) zeros++
        layers.push({
          kind: 'vector',
          layer: t.name,
          className: t.className,
          size: values.length,
          values: Array.from(values.subarray(0, MAX_VALUES), (v) => Math.round(v * 1e4) / 1e4),
          zeros,
        })
      }
    }
    const first = Array.from((await got[outAt]!.data()) as Float32Array)
    tf.dispose(got)
    // The viewer shares the model's layers: disposing the model disposes their weights once.
    const output = first.length === 1 && part.task !== 'regression' ? [1 - first[0]!, first[0]!] : first
    return { split, index, count, actual: Number(part.y[index]), layers, output }
  } finally {
    source.dispose()
    disposeModel(model)
  }
}
