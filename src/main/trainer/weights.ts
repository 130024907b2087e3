// A trained model's weights in memory, and putting them into a model: no files, no Node, so the
// trainer window (Chromium) uses it as the trainer process does.
import { ServiceError } from '../service/errors'
import type { Tf } from './backends'

type ModelJSON = import('@tensorflow/tfjs').io.ModelJSON
type WeightsManifestEntry = import('@tensorflow/tfjs').io.WeightsManifestEntry
type LayersModel = import('@tensorflow/tfjs').LayersModel

/** A TensorFlow.js layers model as it lies on disk: model.json's content and the weights it names. */
export interface TfjsModelFiles {
  modelJson: ModelJSON
  weightSpecs: WeightsManifestEntry[]
  weightData: Uint8Array
}

/**
 * Puts saved weights into a model built from the same (or an imported) config, matching them by
 * layer and weight name, as Keras's load_weights does; a weight that is missing or has another
 * shape is named in the message (the graph was changed after the weights were saved).
 */
export function loadWeightsInto(tf: Tf, model: LayersModel, files: TfjsModelFiles, source: string): void {
  const buffer = files.weightData.buffer.slice(
    files.weightData.byteOffset,
    files.weightData.byteOffset + files.weightData.byteLength,
  ) as ArrayBuffer
  const named = tf.io.decodeWeights(buffer, files.weightSpecs)
  try {
    // By exact name, else by the part after a scope prefix ("model/dense/kernel" for "dense/kernel").
    // Own keys only: a weight named "constructor" in a manifest is just a name.
    const byName = new Map(Object.entries(named))
    const bySuffix = new Map<string, import('@tensorflow/tfjs').Tensor>()
    for (const [k, t] of byName)
      for (let i = k.indexOf('/'); i >= 0; i = k.indexOf('/', i + 1)) {
        const tail = k.slice(i + 1)
        if (!bySuffix.has(tail)) bySuffix.set(tail, t)
      }
    const find = (name: string) => byName.get(name) ?? bySuffix.get(name)
    const problems: string[] = []
    const pairs: [import('@tensorflow/tfjs').LayerVariable, import('@tensorflow/tfjs').Tensor][] = []
    for (const v of model.weights) {
      const t = find(v.originalName)
      if (!t) problems.push(`${v.originalName}: not in the saved weights`)
      else if (t.shape.join(',') !== v.shape.join(','))
        problems.push(
          `${v.originalName}: saved [${t.shape.join(', ')}], the layer needs [${v.shape.join(', ')}]`,
        )
      else pairs.push([v, t])
    }
    if (problems.length)
      throw new ServiceError(
        'bad-request',
        `The weights from ${source} do not fit this model (was it changed after they were saved?):\n- ${problems.slice(0, 6).join('\n- ')}${problems.length > 6 ? `\n- and ${problems.length - 6} more` : ''}`,
      )
    for (const [v, t] of pairs) v.write(t)
  } finally {
    tf.dispose(Object.values(named))
  }
}
