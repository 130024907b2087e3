// Export: every format is written from the one canonical Keras config (or, for tfjs, from the
// weights a run saved), into a folder the user chose, atomically.
import type { NetDocument } from '../../shared/graph/schema'
import { exportBaseName, type ExportFormat } from '../../shared/ipc/contract'
export { defaultExportName } from '../../shared/ipc/contract'
import { toKerasConfig } from '../../shared/keras/config'
import { kerasDataset, kerasSampleShape } from '../datasets/keras'
import { analyze } from '../../shared/graph/analyze'
import { checkDataFits } from '../trainer/outputs'
import { defaultsOf, KERAS_OPTIONS } from '../datasets/options'
import type { LoadedDataset } from '../datasets/builtins'
import { ServiceError } from '../service/errors'
import { writeKerasFile } from './keras-file'
import { kerasModelJson } from './keras-json'
import { runLayerWeights } from './keras-weights'
import { diagramSvg, svgToPng } from './diagram'
import { pythonScript, type PythonData } from './python'
import { datasetNpz } from './python-data'
import { pytorchScript } from './pytorch'
import { readTfjsModel, tfjsFiles } from './tfjs-io'
import { checkFileName, writeFilesAtomic, type OutFile } from './write'

export interface ExportJob {
  doc: NetDocument
  format: ExportFormat
  folder: string
  /** The file name without extension (checked: no path separators). */
  name: string
  /** tfjs: the model.json of the run whose weights are exported. */
  weights?: string
  /** The dataset as the trainer would load it (for a Python script whose data is not a Keras dataset). */
  loadData?: () => Promise<LoadedDataset>
}

export interface ExportResult {
  files: string[]
  notes: string[]
}

/** The files of one export, in memory; writing is separate so nothing is half-written. */
export async function exportFiles(job: ExportJob): Promise<{ files: OutFile[]; notes: string[] }> {
  const { doc, format } = job
  checkFileName(job.name)
  const notes: string[] = []
  switch (format) {
    case 'tfjs': {
      if (!job.weights)
        throw new ServiceError(
          'bad-request',
          'There are no trained weights to export yet. Train the model (or open a TensorFlow.js model.json with its weights) first; Keras JSON, the Python and PyTorch scripts and the diagram need no weights.',
        )
      const m = await readTfjsModel(job.weights)
      const name = exportBaseName(format, job.name)
      const topology = m.modelJson.modelTopology as Record<string, unknown>
      return {
        files: tfjsFiles(
          {
            modelTopology: topology,
            weightSpecs: m.weightSpecs,
            weightData: m.weightData.slice().buffer as ArrayBuffer,
            trainingConfig: m.modelJson.trainingConfig,
          },
          `${name}.json`,
        ),
        notes: ['Load it with tf.loadLayersModel, or convert it for Python with tensorflowjs_converter.'],
      }
    }
    case 'keras': {
      if (!job.weights)
        throw new ServiceError(
          'bad-request',
          'There are no trained weights to export yet. Train the model (or open a model file with its weights) first; the Keras model JSON needs no weights.',
        )
      const m = await readTfjsModel(job.weights)
      const layers = await runLayerWeights(toKerasConfig(doc), m, job.weights)
      const config = toKerasConfig(doc)
      const data = await writeKerasFile(kerasModelJson(doc), config.config.name, layers)
      return {
        files: [{ name: `${exportBaseName(format, job.name)}.keras`, data }],
        notes: ['Load it in Python with keras.models.load_model.'],
      }
    }
    case 'keras-json':
      return {
        files: [{ name: `${exportBaseName(format, job.name)}.json`, data: kerasModelJson(doc) }],
        notes,
      }
    case 'python': {
      const name = exportBaseName(format, job.name)
      const files: OutFile[] = []
      let data: PythonData
      const keras = kerasDataset(doc.dataset.id)
      // The script feeds the data as training does: refused here for what training refuses.
      const fits = (sampleShape: number[], more: number[][] = []) => {
        const a = analyze(doc)
        try {
          checkDataFits(
            a.inputs.map((id) => a.nodes[id]!.outputShape!.slice(1)),
            sampleShape,
            doc.dataset.id,
            more,
          )
        } catch (e) {
          throw new ServiceError(
            'bad-request',
            `The Python script would train on data the model cannot take: ${(e as Error).message}`,
          )
        }
      }
      if (keras) {
        const options = { ...defaultsOf(KERAS_OPTIONS[doc.dataset.id] ?? []), ...doc.dataset.options }
        fits(kerasSampleShape(keras, options))
        data = { kind: 'keras', id: doc.dataset.id, options }
      } else {
        if (!job.loadData) throw new ServiceError('internal', 'The dataset cannot be loaded for this export.')
        const d = await job.loadData()
        fits(
          d.sampleShape,
          (d.more ?? []).map((m) => m.sampleShape),
        )
        const file = `${name}_data.npz`
        files.push({ name: file, data: datasetNpz(d) })
        data = {
          kind: 'npz',
          file,
          description: `The "${doc.dataset.id}" data exactly as Netwright prepared it (${d.y.length} samples${d.test?.y.length ? ` and ${d.test.y.length} held-back test rows` : ''}${d.classes.length ? `, classes: ${d.classes.join(', ')}` : ''}), saved beside this script.`,
        }
        notes.push(`The data is saved beside the script as ${file}.`)
      }
      files.unshift({ name: `${name}.py`, data: pythonScript(doc, data, `${name}.py`) })
      return { files, notes }
    }
    case 'pytorch': {
      const r = pytorchScript(doc)
      if (r.unmapped.length) notes.push(`Not mapped one to one: ${r.unmapped.join('; ')}`)
      return { files: [{ name: `${exportBaseName(format, job.name)}.py`, data: r.text }], notes }
    }
    case 'svg':
      return { files: [{ name: `${exportBaseName(format, job.name)}.svg`, data: diagramSvg(doc) }], notes }
    case 'png':
      return {
        files: [{ name: `${exportBaseName(format, job.name)}.png`, data: await svgToPng(diagramSvg(doc)) }],
        notes,
      }
    default: {
      const never: never = format
      throw new ServiceError('bad-request', `Unknown export format ${String(never)}.`)
    }
  }
}

/** Exports into `folder`: every file written to a temporary name, then renamed into place. */
export async function exportModel(job: ExportJob): Promise<ExportResult> {
  if (job.format !== 'tfjs') toKerasConfig(job.doc) // a model with problems is refused with them listed
  const { files, notes } = await exportFiles(job)
  const written = await writeFilesAtomic(job.folder, files)
  return { files: written, notes }
}
