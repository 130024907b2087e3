import { readFile } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { ServiceError } from '../service/errors'
import { writeFilesAtomic } from './write'

type ModelArtifacts = import('@tensorflow/tfjs').io.ModelArtifacts
type ModelJSON = import('@tensorflow/tfjs').io.ModelJSON
type WeightsManifestEntry = import('@tensorflow/tfjs').io.WeightsManifestEntry
type IOHandler = import('@tensorflow/tfjs').io.IOHandler

/** A TensorFlow.js layers model as it lies on disk: model.json's content and the weights it names. */
export interface TfjsModelFiles {
  modelJson: ModelJSON
  weightSpecs: WeightsManifestEntry[]
  weightData: Uint8Array
}

const concat = (parts: ArrayBuffer | ArrayBuffer[] | undefined): Uint8Array => {
  if (!parts) return new Uint8Array(0)
  const list = Array.isArray(parts) ? parts : [parts]
  const out = new Uint8Array(list.reduce((n, b) => n + b.byteLength, 0))
  let at = 0
  for (const b of list) {
    out.set(new Uint8Array(b), at)
    at += b.byteLength
  }
  return out
}

/** The files of a tfjs layers model: `<name>.json` and one weights shard `<name>.weights.bin`. */
export function tfjsFiles(
  artifacts: Pick<ModelArtifacts, 'modelTopology' | 'weightSpecs' | 'weightData' | 'trainingConfig'> & {
    userDefinedMetadata?: ModelArtifacts['userDefinedMetadata']
  },
  jsonName = 'model.json',
): { name: string; data: string | Uint8Array }[] {
  const weights = concat(artifacts.weightData)
  const binName = `${jsonName.replace(/\.json$/, '')}.weights.bin`
  const modelJson: ModelJSON = {
    modelTopology: artifacts.modelTopology as ModelJSON['modelTopology'],
    format: 'layers-model',
    generatedBy: 'Netwright',
    convertedBy: null,
    weightsManifest: [{ paths: [binName], weights: artifacts.weightSpecs ?? [] }],
    ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
    ...(artifacts.userDefinedMetadata ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {}),
  }
  return [
    { name: jsonName, data: JSON.stringify(modelJson) },
    { name: binName, data: weights },
  ]
}

/**
 * A tfjs IOHandler that saves over `fs` (plain tfjs has no file:// handler): model.json plus one
 * weights file, written to temporary names and renamed, so a failed save leaves nothing half-written.
 */
export function fileSaver(folder: string, jsonName = 'model.json'): IOHandler {
  return {
    async save(artifacts) {
      await writeFilesAtomic(folder, tfjsFiles(artifacts, jsonName))
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          weightDataBytes: concat(artifacts.weightData).byteLength,
        },
      }
    },
  }
}

/** Reads a tfjs model.json and every weights file its manifest names (any number of shards). */
export async function readTfjsModel(modelJsonPath: string): Promise<TfjsModelFiles> {
  let text: string
  try {
    text = await readFile(modelJsonPath, 'utf8')
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    throw new ServiceError(
      code === 'ENOENT' ? 'not-found' : 'internal',
      code === 'ENOENT'
        ? `There is no file at ${modelJsonPath}.`
        : `Cannot read ${modelJsonPath}: ${(e as Error).message}`,
    )
  }
  let modelJson: ModelJSON
  try {
    modelJson = JSON.parse(text) as ModelJSON
  } catch (e) {
    throw new ServiceError(
      'bad-request',
      `${basename(modelJsonPath)} is not valid JSON: ${(e as Error).message}`,
    )
  }
  if (!modelJson || typeof modelJson !== 'object' || !modelJson.modelTopology)
    throw new ServiceError(
      'bad-request',
      `${basename(modelJsonPath)} is not a TensorFlow.js model.json (no modelTopology).`,
    )
  const manifest = modelJson.weightsManifest ?? []
  if (!manifest.length)
    throw new ServiceError(
      'bad-request',
      `${basename(modelJsonPath)} has no weightsManifest: it holds no weights.`,
    )
  const weightSpecs: WeightsManifestEntry[] = []
  const parts: Uint8Array[] = []
  for (const group of manifest) {
    weightSpecs.push(...group.weights)
    for (const p of group.paths) {
      const file = join(dirname(modelJsonPath), p)
      try {
        parts.push(new Uint8Array(await readFile(file)))
      } catch {
        throw new ServiceError(
          'not-found',
          `The weights file ${p} that ${basename(modelJsonPath)} names is missing; keep it in the same folder as ${basename(modelJsonPath)}.`,
        )
      }
    }
  }
  const weightData = concat(
    parts.map((u) => u.buffer.slice(u.byteOffset, u.byteOffset + u.byteLength) as ArrayBuffer),
  )
  const expected = weightSpecs.reduce(
    (n, s) => n + s.shape.reduce((a, b) => a * b, 1) * bytesPer(s.quantization?.dtype ?? s.dtype),
    0,
  )
  if (expected !== weightData.byteLength)
    throw new ServiceError(
      'bad-request',
      `The weights files of ${basename(modelJsonPath)} hold ${weightData.byteLength} bytes, but its manifest describes ${expected}. The files may be damaged or from another model.`,
    )
  return { modelJson, weightSpecs, weightData }
}

const bytesPer = (dtype: string): number => (dtype === 'float16' ? 2 : dtype === 'uint8' ? 1 : 4)

/** A tfjs IOHandler that loads a model (topology and weights) from files read by `readTfjsModel`. */
type Tf = typeof import('@tensorflow/tfjs')
type LayersModel = import('@tensorflow/tfjs').LayersModel

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
    const keys = Object.keys(named)
    const find = (name: string) =>
      named[name] ??
      (keys.find((k) => k.endsWith(`/${name}`))
        ? named[keys.find((k) => k.endsWith(`/${name}`))!]
        : undefined)
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

export function fileLoader(files: TfjsModelFiles): IOHandler {
  return {
    load: async () => ({
      modelTopology: files.modelJson.modelTopology,
      weightSpecs: files.weightSpecs,
      weightData: files.weightData.buffer.slice(
        files.weightData.byteOffset,
        files.weightData.byteOffset + files.weightData.byteLength,
      ) as ArrayBuffer,
      format: files.modelJson.format,
      trainingConfig: files.modelJson.trainingConfig,
    }),
  }
}
