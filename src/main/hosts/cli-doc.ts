// The CLI's <doc>: a project, a Keras model JSON, a TensorFlow.js model.json or a Keras .keras/.h5
// file, opened with its warnings printed; a model's problems as the CLI prints them; the service a
// command runs.
import { analyze } from '../../shared/graph/analyze'
import { DocumentError } from '../../shared/graph/load'
import type { NetDocument } from '../../shared/graph/schema'
import { openModelText } from '../../shared/keras/import'
import type { ServiceError } from '../service/errors'
import { readText } from '../service/files'
import { isKerasFile, openKerasFile } from '../service/open-keras'
import { UsageError } from './usage-error'
import { createService, type Service } from '../service'
import { anyFiles } from '../service/files'
import { forkLauncher, type TrainerLauncher } from '../trainer/launch'
import { templatesDir } from './paths'

/** The service as a CLI command uses it: any file the user names, the trainer in a child process. */
export const cliService = (launcher: TrainerLauncher = forkLauncher()): Service =>
  createService({ host: 'cli', launcher, files: anyFiles(), templatesDir: templatesDir() })

export async function loadDoc(path: string | undefined, usage: string): Promise<NetDocument> {
  if (!path) throw new UsageError(`Missing the project file.\n\n${usage}`)
  if (isKerasFile(path)) {
    try {
      const k = await openKerasFile(path, path)
      for (const w of k.warnings) console.error(`warning: ${w}`)
      return k.document
    } catch (e) {
      throw new UsageError(
        (e as ServiceError).code === 'not-found' ? `Cannot read ${path}: no such file` : (e as Error).message,
      )
    }
  }
  let text: string
  try {
    text = await readText(path)
  } catch (e) {
    throw new UsageError(
      (e as ServiceError).code === 'not-found' ? `Cannot read ${path}: no such file` : (e as Error).message,
    )
  }
  try {
    const r = openModelText(text, path)
    for (const w of r.warnings) console.error(`warning: ${w}`)
    return r.document
  } catch (e) {
    if (e instanceof DocumentError) throw new UsageError(e.message)
    throw e
  }
}

export function problemsText(doc: NetDocument): string | null {
  const a = analyze(doc)
  if (a.ok) return null
  const byId = new Map(doc.nodes.map((n) => [n.id, n.name]))
  return (
    `The model has ${a.problems.length} problem${a.problems.length === 1 ? '' : 's'}:\n` +
    a.problems.map((p) => `  - ${p.nodeId ? `${byId.get(p.nodeId)}: ` : ''}${p.message}`).join('\n')
  )
}
