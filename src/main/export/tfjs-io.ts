import { z } from 'zod'
import { basename, dirname, join } from 'node:path'
import { LIMITS, readRegularFile, readRegularText, regularFileSize } from '../safe-fs'
import { ServiceError } from '../service/errors'
import { writeFilesAtomic } from './write'
import type { TfjsModelFiles } from '../trainer/weights'

export { loadWeightsInto, type TfjsModelFiles } from '../trainer/weights'

type ModelArtifacts = import('@tensorflow/tfjs').io.ModelArtifacts
type ModelJSON = import('@tensorflow/tfjs').io.ModelJSON
type WeightsManifestEntry = import('@tensorflow/tfjs').io.WeightsManifestEntry
type IOHandler = import('@tensorflow/tfjs').io.IOHandler

/** tfjs's weight data (one buffer or several) as one array of bytes. */
export const concat = (parts: ArrayBuffer | ArrayBuffer[] | undefined): Uint8Array => {
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

/** A weights shard's name as a manifest may give it: a plain file name beside the model.json. */
const shardName = z
  .string()
  .min(1)
  .max(255)
  .refine((p) => !/[/\\\0]/.test(p) && p !== '.' && p !== '..' && !/^[A-Za-z]:/.test(p), {
    message: 'must be a plain file name beside the model.json (no folders, no "..")',
  })

/** Bytes per value of each dtype tfjs stores (quantized ones by their stored dtype). */
const BYTES: Record<string, number> = {
  float32: 4,
  int32: 4,
  bool: 1,
  complex64: 8,
  uint8: 1,
  uint16: 2,
  float16: 2,
}

const WeightSpecSchema = z
  .object({
    name: z.string().min(1).max(1000),
    shape: z
      .array(
        z
          .number()
          .int()
          .min(0)
          .max(2 ** 31),
      )
      .max(16),
    dtype: z.enum(['float32', 'int32', 'bool', 'complex64']),
    quantization: z
      .object({ dtype: z.enum(['uint8', 'uint16', 'float16']) })
      .loose()
      .optional(),
  })
  .loose()

const ModelJsonSchema = z
  .object({
    modelTopology: z.record(z.string(), z.unknown()),
    weightsManifest: z
      .array(
        z.object({ paths: z.array(shardName).max(10_000), weights: z.array(WeightSpecSchema).max(100_000) }),
      )
      .max(10_000)
      .optional(),
  })
  .loose()

/** The bytes a manifest's weights take, or null when they exceed what Netwright reads. */
function manifestBytes(specs: WeightsManifestEntry[]): number | null {
  let total = 0
  for (const s of specs) {
    let n = BYTES[s.quantization?.dtype ?? s.dtype]!
    for (const d of s.shape) n *= d
    total += n
    if (!Number.isSafeInteger(total) || total > LIMITS.weights) return null
  }
  return total
}

/**
 * Reads a tfjs model.json and the weights files its manifest names. The manifest is hostile until
 * checked: shards must be plain file names beside the model.json, regular files (not links, pipes or
 * devices), whose sizes add up to exactly what the manifest's weights take; only then are they read.
 */
export async function readTfjsModel(modelJsonPath: string): Promise<TfjsModelFiles> {
  const file = basename(modelJsonPath)
  const text = await readRegularText(modelJsonPath, { maxBytes: LIMITS.modelJson, what: modelJsonPath })
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (e) {
    throw new ServiceError('bad-request', `${file} is not valid JSON: ${(e as Error).message}`)
  }
  if (!raw || typeof raw !== 'object' || !('modelTopology' in raw))
    throw new ServiceError('bad-request', `${file} is not a TensorFlow.js model.json (no modelTopology).`)
  const parsed = ModelJsonSchema.safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    throw new ServiceError(
      'bad-request',
      `${file} is not a TensorFlow.js model.json Netwright can read: ${issue.path.join('.') || 'the file'} ${issue.message}.`,
    )
  }
  const modelJson = raw as ModelJSON
  const manifest = parsed.data.weightsManifest ?? []
  if (!manifest.length)
    throw new ServiceError('bad-request', `${file} has no weightsManifest: it holds no weights.`)
  const weightSpecs = manifest.flatMap((g) => g.weights) as WeightsManifestEntry[]
  const expected = manifestBytes(weightSpecs)
  if (expected === null)
    throw new ServiceError(
      'bad-request',
      `The weights ${file} describes would take more than ${Math.round(LIMITS.weights / 2 ** 30)} GB; Netwright does not read them.`,
    )
  // Every shard is checked (a plain file beside the model.json, and how big) before any is read.
  const dir = dirname(modelJsonPath)
  const shards = manifest.flatMap((g) => g.paths)
  let total = 0
  for (const p of shards) {
    const size = await regularFileSize(join(dir, p), {
      maxBytes: LIMITS.weights,
      what: `The weights file ${p} that ${file} names`,
      noLinks: true,
    }).catch((e: ServiceError) => {
      if (e.code === 'not-found')
        throw new ServiceError(
          'not-found',
          `The weights file ${p} that ${file} names is missing; keep it in the same folder as ${file}.`,
        )
      throw e
    })
    total += size
    if (total > expected) break
  }
  if (total !== expected)
    throw new ServiceError(
      'bad-request',
      `The weights files of ${file} do not hold the ${expected} bytes its manifest describes. The files may be damaged or from another model.`,
    )
  const weightData = new Uint8Array(expected)
  let at = 0
  for (const p of shards) {
    const bytes = await readRegularFile(join(dir, p), {
      maxBytes: expected - at,
      what: `The weights file ${p} that ${file} names`,
      noLinks: true,
    })
    weightData.set(bytes, at)
    at += bytes.byteLength
  }
  if (at !== expected)
    throw new ServiceError(
      'bad-request',
      `The weights files of ${file} changed while they were read; open it again.`,
    )
  return { modelJson, weightSpecs, weightData }
}

/** A tfjs IOHandler that loads a model (topology and weights) from files read by `readTfjsModel`. */
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
