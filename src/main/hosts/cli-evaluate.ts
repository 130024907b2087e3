// `netwright evaluate`: saved weights (kept beside a project, a model.json's, a .keras file's, or
// --run MODEL) on the document's dataset's test split; and the evaluation as the CLI prints it
// (train prints it too, at the end of a run).
import { existsSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { evaluationText, type Evaluation } from '../../shared/evaluation'
import { BACKENDS, type BackendName } from '../../shared/graph/schema'
import type { Service } from '../service'
import { cliService, loadDoc, problemsText } from './cli-doc'
import { UsageError } from './usage-error'

/** The evaluation as `--json` prints it: one event, without the per-row values. */
export function evaluationEvent(e: Evaluation): object {
  const { actual: _a, predicted: _p, probs: _q, ...rest } = e
  return { event: 'evaluation', ...rest }
}

/** Prints an evaluation: a JSON line, or Keras-like text. */
export function printEvaluation(e: Evaluation, json: boolean): void {
  if (json) console.log(JSON.stringify(evaluationEvent(e)))
  else console.log(evaluationText(e))
}

/** A TensorFlow.js model.json (or a folder holding one), or a Keras file, opened for its weights: the run's id. */
export async function weightsRun(service: Service, path: string): Promise<string> {
  const file = existsSync(path) && statSync(path).isDirectory() ? join(path, 'model.json') : path
  try {
    const r = await service.call('project.open', { path: file })
    if (!r.run)
      throw new UsageError(
        `${file} holds no trained weights.${r.warnings.length ? ` ${r.warnings.join(' ')}` : ''}`,
      )
    return r.run.runId
  } catch (e) {
    if (e instanceof UsageError) throw e
    throw new UsageError(`Cannot read the weights in ${path}: ${(e as Error).message}`)
  }
}

export async function evaluateCommand(args: string[], usage: string): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { run: { type: 'string' }, backend: { type: 'string' }, json: { type: 'boolean' } },
  })
  const path = positionals[0]
  const doc = await loadDoc(path, usage)
  if (values.backend && !(BACKENDS as readonly string[]).includes(values.backend))
    throw new UsageError(`--backend must be one of ${BACKENDS.join(', ')}; received "${values.backend}".`)
  const problems = problemsText(doc)
  if (problems) throw new UsageError(problems)
  const service = cliService()
  try {
    const runId = values.run
      ? await weightsRun(service, values.run)
      : (await service.call('project.open', { path: path! })).run?.runId
    if (!runId)
      throw new UsageError(
        `${path} has no trained weights beside it. Train it with --save DIR and evaluate with --run DIR, or keep a run with the project (Save in the app).`,
      )
    const e = await service.call('model.evaluate', {
      document: doc,
      runId,
      backend: values.backend as BackendName | undefined,
    })
    printEvaluation(e, !!values.json)
    return 0
  } catch (e) {
    if (e instanceof UsageError) throw e
    console.error((e as Error).message)
    return 1
  } finally {
    service.shutdown()
  }
}
