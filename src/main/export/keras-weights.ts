// A Keras file's weights as TensorFlow.js files (for training on, fine-tuning and export), and a
// run's weights as the layers of a .keras file. Both build the model from the one canonical config
// and match weights by layer name and order, checking every shape.
import type { KerasModelConfig } from '../../shared/keras/config'
import { ServiceError } from '../service/errors'
import { concat } from './tfjs-io'
import { registerCustomLayers } from '../trainer/custom-layers'
import { quietTfjs, useCpu } from '../trainer/quiet'
import { loadWeightsInto, type TfjsModelFiles } from '../trainer/weights'
import type { LayerWeights, Weight } from './keras-file'

type Tf = typeof import('@tensorflow/tfjs')
type LayersModel = import('@tensorflow/tfjs').LayersModel

let tfReady: Promise<Tf> | undefined
/** tfjs on its plain cpu backend (with our Keras layers): enough to hold weights while they are converted. */
export const tfjs = async (): Promise<Tf> => {
  const tf = await (tfReady ??= quietTfjs().then((tf) => {
    registerCustomLayers(tf as never)
    return tf
  }))
  // Again each time: in a process that trains too (the bench), another backend may have been set since.
  if (tf.getBackend() !== 'cpu') await useCpu(tf)
  return tf
}

const shapeText = (ws: { shape: number[] }[]) => ws.map((w) => `[${w.shape.join(', ')}]`).join(', ') || 'none'

/** The model's weights as tfjs files, saved in memory. */
export async function artifactsOf(tf: Tf, model: LayersModel): Promise<TfjsModelFiles> {
  let saved: import('@tensorflow/tfjs').io.ModelArtifacts | undefined
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      saved = a
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }
    }),
  )
  return {
    modelJson: { modelTopology: saved!.modelTopology as object, weightsManifest: [] },
    weightSpecs: saved!.weightSpecs ?? [],
    weightData: concat(saved!.weightData),
  }
}

/**
 * Puts a Keras file's weights into the model the document describes and returns them as tfjs
 * files. A layer whose weights are missing or shaped otherwise is named, with both shapes.
 */
export async function kerasWeightsToTfjs(
  config: KerasModelConfig,
  weights: Map<string, Weight[]>,
  source: string,
): Promise<TfjsModelFiles> {
  const tf = await tfjs()
  const model = await tf.models.modelFromJSON({ modelTopology: config as never })
  try {
    for (const layer of model.layers) {
      const want = layer.weights
      if (!want.length) continue
      const got = weights.get(layer.name)
      if (!got)
        throw new ServiceError('bad-request', `${source}: it holds no weights for the layer ${layer.name}.`)
      const wantShapes = want.map((w) => ({ shape: w.shape as number[] }))
      if (got.length !== want.length || got.some((g, i) => g.shape.join() !== wantShapes[i]!.shape.join()))
        throw new ServiceError(
          'bad-request',
          `${source}: the weights of ${layer.name} have the shapes ${shapeText(got)}, but the layer as Netwright builds it has ${shapeText(wantShapes)}${layer.getClassName() === 'GRU' ? ' (a GRU saved with reset_after=True has two bias rows; Netwright builds reset_after=False)' : ''}.`,
        )
      const tensors = got.map((g) => tf.tensor(g.values, g.shape, 'float32'))
      layer.setWeights(tensors)
      tf.dispose(tensors)
    }
    return await artifactsOf(tf, model)
  } finally {
    model.dispose()
  }
}

/** A run's weights, layer by layer in Keras's order, for writing a .keras file. */
export async function runLayerWeights(
  config: KerasModelConfig,
  files: TfjsModelFiles,
  source: string,
): Promise<LayerWeights[]> {
  const tf = await tfjs()
  const model = await tf.models.modelFromJSON({ modelTopology: config as never })
  try {
    loadWeightsInto(tf as never, model, files, source)
    const byName = new Map(config.config.layers.map((l) => [String(l.config.name), l]))
    // Keras's Sequential lists no InputLayer among its layers; a Functional model does.
    return model.layers
      .filter((l) => config.class_name === 'Functional' || l.getClassName() !== 'InputLayer')
      .map((l) => {
        const c = byName.get(l.name)
        const inner = (c?.config.layer as { class_name?: string } | undefined)?.class_name
        return {
          className: c?.class_name ?? l.getClassName(),
          name: l.name,
          ...(inner ? { inner } : {}),
          weights: l
            .getWeights()
            .map((t) => ({ shape: t.shape as number[], values: t.dataSync() as Float32Array })),
        }
      })
  } finally {
    model.dispose()
  }
}
