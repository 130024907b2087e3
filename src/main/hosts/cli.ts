import { existsSync, mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { cliService, loadDoc, problemsText } from './cli-doc'
import { BACKENDS, type BackendName, type NetDocument } from '../../shared/graph/schema'
import {
  EXPORT_FORMATS,
  WEIGHT_FORMATS,
  type ExportFormat,
  type TrainingStatus,
} from '../../shared/ipc/contract'
import { summary } from './cli-summary'
import { defaultExportName } from '../export'
import { withSafeConsole } from './terminal'
import { datasets } from './cli-datasets'
import { evaluateCommand, printEvaluation, weightsRun } from './cli-evaluate'
import { UsageError } from './usage-error'
import { browserService } from './browser'
import { withKerasRung } from '../trainer/keras-launcher'
import { forkLauncher } from '../trainer/launch'
import { defaultWorkspace, rendererDir } from './paths'
import { startServer } from './server'

const USAGE = `netwright — design and train neural networks

Usage:
  netwright summary <doc> [--json]
  netwright train <doc> [--epochs N] [--batch-size N] [--backend ${BACKENDS.join('|')}]
                 [--from MODEL] [--save DIR] [--json]
  netwright evaluate <doc> [--run MODEL] [--backend B] [--json]
  netwright export <doc> --format ${EXPORT_FORMATS.join('|')} --out DIR [--name NAME] [--run MODEL]
  netwright serve [--port N] [--host H] [--workspace DIR]
  netwright datasets list [--json]
  netwright datasets prepare <id> [--json]

<doc> is a Netwright project (*.netwright.json), a Keras model JSON (model.to_json()) or a
TensorFlow.js model.json.

train --save DIR writes the trained model to DIR as TensorFlow.js files (model.json and
model.weights.bin); --from MODEL starts from the weights of a TensorFlow.js model.json (or a folder
holding one) instead of fresh ones. Every run ends with the model evaluated on the dataset's test
split (loss, metrics, confusion matrix). evaluate and export --run MODEL use those weights; without
it, the weights kept beside a project (<name>.weights/), or a model file's own, are used.`

const positiveInt = (name: string, v: string | undefined): number | undefined => {
  if (v === undefined) return undefined
  const n = Number(v)
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`--${name} must be a whole number of 1 or more; received "${v}".`)
  return n
}

const fmt = (logs: Record<string, number>): string =>
  Object.entries(logs)
    .sort(([a], [b]) => Number(a.startsWith('val_')) - Number(b.startsWith('val_')))
    .map(([k, v]) => `${k}: ${v !== 0 && Math.abs(v) < 1e-3 ? v.toExponential(4) : v.toFixed(4)}`)
    .join(' - ')

async function train(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      epochs: { type: 'string' },
      'batch-size': { type: 'string' },
      backend: { type: 'string' },
      json: { type: 'boolean' },
      save: { type: 'string' },
      from: { type: 'string' },
    },
  })
  const doc = await loadDoc(positionals[0], USAGE)
  if (values.save === '') throw new UsageError('--save needs a folder.')
  const epochs = positiveInt('epochs', values.epochs)
  const batchSize = positiveInt('batch-size', values['batch-size'])
  if (values.backend && !(BACKENDS as readonly string[]).includes(values.backend))
    throw new UsageError(`--backend must be one of ${BACKENDS.join(', ')}; received "${values.backend}".`)
  const problems = problemsText(doc)
  if (problems) throw new UsageError(problems)
  const run: NetDocument = {
    ...doc,
    training: {
      ...doc.training,
      epochs: epochs ?? doc.training.epochs,
      batchSize: batchSize ?? doc.training.batchSize,
    },
  }
  const json = !!values.json
  const out = (obj: object) => console.log(JSON.stringify(obj))
  const service = cliService(withKerasRung(forkLauncher()))
  const fromRun = values.from ? await weightsRun(service, values.from) : undefined
  /** After the run: the trained model written to --save, or why it could not be. */
  const save = async (s: TrainingStatus): Promise<boolean> => {
    if (!values.save || s.state === 'failed') return true
    if (!s.run) {
      console.error('Nothing was saved: the run ended before its first epoch, so it has no trained weights.')
      return false
    }
    try {
      const r = await service.call('export.model', {
        document: run,
        format: 'tfjs',
        folder: values.save,
        name: 'model',
        runId: s.runId,
      })
      if (json) out({ event: 'saved', files: r.files })
      else console.log(`Saved the trained model: ${r.files.join(', ')}`)
      return true
    } catch (e) {
      console.error(`Could not save the trained model: ${(e as Error).message}`)
      return false
    }
  }
  return new Promise<number>((resolve) => {
    let runId = ''
    let last: TrainingStatus | undefined
    let reported: string | undefined
    let epochStart = { step: 0, elapsedMs: 0 }
    let headed = 0
    const onSignal = () => void service.call('training.stop', { runId })
    process.once('SIGINT', onSignal)
    service.subscribe((event, payload) => {
      if (!('runId' in payload) || payload.runId !== runId) return
      if (event === 'training.metrics') {
        const m = payload as import('../../shared/ipc/contract').TrainingMetrics
        const steps = m.step - epochStart.step
        const header = () => {
          if (headed === m.epoch) return
          headed = m.epoch
          console.log(`Epoch ${m.epoch}/${run.training.epochs}`)
        }
        if (m.kind === 'batch') {
          // Live within an epoch: a JSON line each (as often as the trainer reports, ~4 a second),
          // or, as Keras prints it, the epoch's line rewritten in place on a terminal.
          if (json)
            out({
              event: 'batch',
              epoch: m.epoch,
              step: m.step,
              ...m.logs,
              samplesPerSec: Math.round(m.samplesPerSec),
            })
          else if (process.stderr.isTTY) {
            header()
            process.stderr.write(
              `\r\x1b[2K${steps}/${m.stepsPerEpoch ?? '?'} - ${fmt(m.logs)} - ${Math.round(m.samplesPerSec)} samples/s`,
            )
          }
          return
        }
        const ms = m.elapsedMs - epochStart.elapsedMs
        epochStart = { step: m.step, elapsedMs: m.elapsedMs }
        if (!json && process.stderr.isTTY) process.stderr.write('\r\x1b[2K')
        if (json)
          out({
            event: 'epoch',
            epoch: m.epoch,
            epochs: run.training.epochs,
            ...m.logs,
            samplesPerSec: Math.round(m.samplesPerSec),
            elapsedMs: Math.round(m.elapsedMs),
            epochMs: Math.round(ms),
          })
        else {
          // Keras's form: the epoch, then its steps, its own time and the time per step.
          header()
          console.log(
            `${steps}/${m.stepsPerEpoch ?? steps} - ${(ms / 1000).toFixed(1)}s ${Math.round(ms / Math.max(steps, 1))}ms/step - ${fmt(m.logs)} - ${Math.round(m.samplesPerSec)} samples/s`,
          )
        }
        return
      }
      const s = payload as TrainingStatus
      last = s
      // Reported again if the trainer moves to another backend (wasm lacking a kernel this model needs).
      if (s.backends && s.backend !== reported) {
        reported = s.backend
        const others = s.backends.filter((b) => b.name !== s.backend).map((b) => `${b.name}: ${b.detail}`)
        const chosen = s.backends.find((b) => b.name === s.backend)
        const on = chosen?.adapter
        const where = on
          ? ` on ${on.name} (${on.driver}${on.software ? ', software' : ''})`
          : chosen
            ? `: ${chosen.detail}`
            : ''
        if (json) out({ event: 'backend', backend: s.backend, backends: s.backends })
        else console.error(`Backend: ${s.backend}${where}${others.length ? ` (${others.join('; ')})` : ''}`)
      }
      if (s.state === 'done' || s.state === 'stopped' || s.state === 'failed') {
        process.removeListener('SIGINT', onSignal)
        if (json) out({ event: s.state, message: s.message, ...(s.final ?? {}) })
        else if (s.state === 'failed') console.error(`Training failed: ${s.message}`)
        else console.log(s.message)
        void save(s).then((ok) => {
          // The run ends with the model on the test split (finished or stopped).
          if (s.evaluation) printEvaluation(s.evaluation, json)
          service.shutdown()
          resolve(s.state === 'failed' || !ok ? 1 : 0)
        })
      }
    })
    service
      .call('training.start', {
        document: run,
        backend: values.backend as BackendName | undefined,
        fromRun,
      })
      .then((r) => {
        runId = r.runId
      })
      .catch((e) => {
        console.error((e as Error).message)
        resolve(last ? 1 : 2)
      })
  })
}

async function exportCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      format: { type: 'string' },
      out: { type: 'string' },
      name: { type: 'string' },
      run: { type: 'string' },
      json: { type: 'boolean' },
    },
  })
  const path = positionals[0]
  if (!path) throw new UsageError(`Missing the project file.\n\n${USAGE}`)
  const format = values.format as ExportFormat | undefined
  if (!format || !(EXPORT_FORMATS as readonly string[]).includes(format))
    throw new UsageError(
      `--format must be one of ${EXPORT_FORMATS.join(', ')}${values.format ? `; received "${values.format}"` : ''}.`,
    )
  if (!values.out) throw new UsageError('--out DIR is required: the folder to write into.')
  const service = cliService()
  try {
    const doc = await loadDoc(path, USAGE)
    const problems = problemsText(doc)
    if (problems) {
      console.error(problems)
      return 1
    }
    let runId: string | undefined
    if (values.run) runId = await weightsRun(service, values.run)
    else if (WEIGHT_FORMATS.includes(format))
      runId = (await service.call('project.open', { path })).run?.runId
    const r = await service.call('export.model', {
      document: doc,
      format,
      folder: values.out,
      name: values.name ?? defaultExportName(format, doc.name),
      runId,
    })
    if (values.json)
      console.log(JSON.stringify({ event: 'exported', format, files: r.files, notes: r.notes }))
    else {
      for (const f of r.files) console.log(`Wrote ${f}`)
      for (const n of r.notes) console.log(`  ${n}`)
    }
    return 0
  } catch (e) {
    if (e instanceof UsageError) throw e
    console.error((e as Error).message)
    return 1
  } finally {
    service.shutdown()
  }
}

async function serve(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { port: { type: 'string' }, host: { type: 'string' }, workspace: { type: 'string' } },
  })
  const staticDir = rendererDir()
  if (!existsSync(join(staticDir, 'index.html')))
    throw new UsageError(
      'The UI is not built yet. Run `npm run build` first (`npm start` builds it for you).',
    )
  // The user's projects live in a folder of their own, never in Netwright's source tree.
  const workspace = resolve(values.workspace ?? defaultWorkspace())
  try {
    mkdirSync(workspace, { recursive: true })
  } catch (e) {
    throw new UsageError(`Cannot create the workspace folder ${workspace}: ${(e as Error).message}`)
  }
  const service = browserService(workspace)
  const port = values.port === undefined ? 0 : Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port must be 0-65535; received "${values.port}".`)
  const host = await startServer({
    service,
    staticDir,
    port,
    host: values.host,
    token: process.env.NETWRIGHT_TOKEN,
  })
  console.log(`Netwright is running at ${host.url}`)
  console.log(
    `Projects are read from and saved to ${workspace}${values.workspace ? '' : ' (the default workspace; --workspace DIR or NETWRIGHT_WORKSPACE for another)'}`,
  )
  await new Promise<void>((resolve) => {
    const stop = () => resolve()
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })
  await host.close()
  return 0
}

export const main = (argv: string[]): Promise<number> => withSafeConsole(() => run(argv))

async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  // `netwright train --help` (or -h) anywhere after a command: the usage, not an argument error.
  if (command && rest.some((a) => a === '--help' || a === '-h')) {
    console.log(USAGE)
    return 0
  }
  try {
    switch (command) {
      case 'summary':
        return await summary(rest, USAGE)
      case 'train':
        return await train(rest)
      case 'serve':
        return await serve(rest)
      case 'export':
        return await exportCommand(rest)
      case 'evaluate':
        return await evaluateCommand(rest, USAGE)
      case 'datasets':
        return await datasets(rest, USAGE)
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        console.log(USAGE)
        return command === undefined ? 2 : 0
      default:
        throw new UsageError(`Unknown command "${command}".\n\n${USAGE}`)
    }
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error((e as Error).message)
      return 2
    }
    throw e
  }
}
