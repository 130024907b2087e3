// The project calls of the service: the workspace's files, open (projects, Keras and TensorFlow.js
// model files, with their weights), save (keeping a run beside the project), export, templates, and
// the native dialogs of a host that has them.
import { readdir } from 'node:fs/promises'
import { dirname, join, relative } from 'node:path'
import { analyze } from '../../shared/graph/analyze'
import { parseDocument, serializeDocument } from '../../shared/graph/load'
import type { NetDocument } from '../../shared/graph/schema'
import type { Request, Responses, RunRecord } from '../../shared/ipc/contract'
import { isProject, openModelText } from '../../shared/keras/import'
import { loadAnyDataset } from '../datasets/registry'
import { exportModel } from '../export'
import type { datasetCalls } from './datasets'
import { ServiceError } from './errors'
import { PROJECT_EXT, readText, writeTextAtomic } from './files'
import type { ServiceOptions } from './index'
import { sweepTemps } from './litter'
import { isKerasFile, openKerasFile } from './open-keras'
import type { RunStore } from './runs'

type ProjectMethod =
  | 'project.list'
  | 'project.open'
  | 'project.save'
  | 'export.model'
  | 'project.template'
  | 'project.templates'
  | 'dialog.open'
  | 'dialog.save'
  | 'dialog.chooseFolder'
  | 'dialog.openData'
  | 'dialog.launched'

/**
 * The template gallery's order: from the first model a learner builds to the Functional ones, as the
 * decks go (a template not named here comes after these, by name).
 */
export const TEMPLATE_ORDER = [
  'shapes-mlp',
  'keras-first-example',
  'mnist-mlp',
  'boston-regressor',
  'fashion-mnist-cnn',
  'shallow-vggnet',
  'imdb-lstm',
  'imdb-bidirectional-lstm',
  'residual-block',
  'two-inputs',
]

export function projectCalls(
  o: Pick<ServiceOptions, 'files' | 'templatesDir' | 'workspace' | 'dialogs'> & {
    store: RunStore
    data: ReturnType<typeof datasetCalls>
    kerasDir: string
    doc: (raw: unknown) => NetDocument
  },
): { [M in ProjectMethod]: (req: Request<M>) => Promise<Responses[M]> } {
  const dialogs = () => {
    if (!o.dialogs) throw new ServiceError('unavailable', 'This host has no native file dialogs.')
    return o.dialogs
  }
  return {
    'project.list': async () => o.files.list(),
    'project.open': async ({ path }) => {
      const full = o.files.resolve(path)
      if (isKerasFile(path)) {
        // Keras's own files: the model, and its weights as a run to train on or export.
        const k = await openKerasFile(full, `The file ${path}`)
        const warnings = [...k.warnings]
        const run = k.weights
          ? await o.store.importConverted(k.weights, k.document.name, full).catch((e: Error) => {
              warnings.push(`The weights did not come with it: ${e.message}`)
              return undefined
            })
          : undefined
        return { path, document: k.document, imported: true, warnings, ...(run ? { run } : {}) }
      }
      const text = await readText(full, path)
      const r = openModelText(text, `The file ${path}`)
      const imported = !isProject(text)
      const warnings = [...r.warnings]
      let run: RunRecord | undefined
      let history: RunRecord[] | undefined
      if (!imported) {
        run = await o.store.openBeside(full).catch((e: Error) => {
          warnings.push(`The kept weights were not opened: ${e.message}`)
          return undefined
        })
        history = await o.store.projectRuns(full).catch((e: Error) => {
          warnings.push(`The earlier runs were not opened: ${e.message}`)
          return undefined
        })
      } else if (/"weightsManifest"/.test(text))
        // A TensorFlow.js model.json: its weights come with it, or the graph opens alone and says why.
        run = await o.store.importWeights(full, r.document.name).catch((e: Error) => {
          warnings.push(`The weights did not come with it: ${e.message}`)
          return undefined
        })
      return {
        path,
        document: r.document,
        imported,
        warnings,
        ...(run ? { run } : {}),
        ...(history?.length ? { history } : {}),
      }
    },
    'project.save': async ({ path, document, keepRun }) => {
      const withExt = path.endsWith('.json') ? path : path + PROJECT_EXT
      const full = o.files.resolve(withExt)
      const text = serializeDocument(o.doc(document))
      await sweepTemps(dirname(full))
      await writeTextAtomic(full, text)
      if (!keepRun) return { path: withExt }
      try {
        return { path: withExt, keptRun: await o.store.keepBeside(full, keepRun) }
      } catch (e) {
        throw new ServiceError(
          (e as ServiceError).code ?? 'internal',
          `Saved ${withExt}, but its trained weights could not be kept beside it: ${(e as Error).message}`,
        )
      }
    },
    'export.model': async ({ document, format, folder, name, runId }) => {
      const d = o.doc(document)
      const run = runId ? o.store.get(runId) : undefined
      if (runId && !run)
        throw new ServiceError(
          'not-found',
          'That run has no saved weights (it may have failed before its first epoch).',
        )
      const out = o.files.folder(folder)
      await sweepTemps(out)
      const r = await exportModel({
        doc: d,
        format,
        folder: out,
        name,
        weights: run?.modelJson,
        loadData: () =>
          loadAnyDataset(d.dataset.id, o.data.resolve(d.dataset).options, d.training.seed, o.kerasDir),
      })
      // The browser host shows paths inside its workspace; the others show them as they are.
      return { ...r, files: o.workspace ? r.files.map((f) => relative(o.workspace!, f) || f) : r.files }
    },
    'project.template': async ({ name }) => {
      const text = await readText(join(o.templatesDir, `${name}${PROJECT_EXT}`))
      return { document: parseDocument(text, `The template ${name}`) }
    },
    'project.templates': async () => {
      const rank = (f: string) => {
        const i = TEMPLATE_ORDER.indexOf(f.slice(0, -PROJECT_EXT.length))
        return i < 0 ? TEMPLATE_ORDER.length : i
      }
      const names = (await readdir(o.templatesDir))
        .filter((f) => f.endsWith(PROJECT_EXT))
        .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
      return Promise.all(
        names.map(async (file) => {
          const d = parseDocument(await readText(join(o.templatesDir, file)), `The template ${file}`)
          return {
            name: file.slice(0, -PROJECT_EXT.length),
            title: d.name,
            description: d.description ?? '',
            layers: d.nodes.length,
            totalParams: analyze(d).totalParams,
            dataset: d.dataset.id,
          }
        }),
      )
    },
    'dialog.open': async () => ({ path: await dialogs().open() }),
    'dialog.save': async ({ suggestedName }) => ({ path: await dialogs().save(suggestedName) }),
    'dialog.chooseFolder': async () => ({ path: await dialogs().chooseFolder() }),
    'dialog.openData': async ({ kind }) => ({ path: await dialogs().openData(kind) }),
    // A host without native dialogs is never asked by the OS to open a file.
    'dialog.launched': async () => ({ paths: o.dialogs?.launched?.() ?? [] }),
  }
}
