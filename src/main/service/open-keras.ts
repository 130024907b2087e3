// Opening Keras's own files (.keras, .h5): the model as a new project, and its weights, converted
// to TensorFlow.js files, as a run to train on, fine-tune or export.
import type { NetDocument } from '../../shared/graph/schema'
import { DocumentError } from '../../shared/graph/load'
import { fromKerasJson } from '../../shared/keras/import'
import { toKerasConfig } from '../../shared/keras/config'
import { readKerasFile } from '../export/keras-file'
import { kerasWeightsToTfjs } from '../export/keras-weights'
import { readRegularFile } from '../safe-fs'
import type { TfjsModelFiles } from '../trainer/weights'
import { ServiceError } from './errors'

/** Keras's binary model files, by name: Keras 3's .keras, and the .h5 of Keras 2 and Keras 3's legacy save. */
export const isKerasFile = (path: string): boolean => /\.(keras|h5|hdf5)$/i.test(path)

/** The largest Keras file opened (its weights are held in memory twice while they are converted). */
const MAX_KERAS_FILE = 1024 * 1024 * 1024

export interface OpenedKeras {
  document: NetDocument
  warnings: string[]
  /** The weights as tfjs files, when the file held them and they fit the model. */
  weights?: TfjsModelFiles
}

/** Reads a .keras or .h5 file: its model, and its weights when they fit (else a warning says why not). */
export async function openKerasFile(path: string, shown: string): Promise<OpenedKeras> {
  const bytes = await readRegularFile(path, { maxBytes: MAX_KERAS_FILE, what: shown })
  const k = await readKerasFile(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), shown)
  let r
  try {
    r = fromKerasJson(k.config, shown)
  } catch (e) {
    if (e instanceof DocumentError) throw new ServiceError('bad-request', e.message)
    throw e
  }
  const warnings = [...r.warnings]
  if (!k.weights.size) return { document: r.document, warnings }
  try {
    return {
      document: r.document,
      warnings,
      weights: await kerasWeightsToTfjs(toKerasConfig(r.document), k.weights, shown),
    }
  } catch (e) {
    warnings.push(`The weights did not come with it: ${(e as Error).message}`)
    return { document: r.document, warnings }
  }
}
