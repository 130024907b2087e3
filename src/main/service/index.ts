import { randomUUID } from 'node:crypto'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { analyze } from '../../shared/graph/analyze'
import { parseDocument, serializeDocument, validateDocument } from '../../shared/graph/load'
import type { BackendName } from '../../shared/graph/schema'
import {
  isMethod,
  requests,
  type EventName,
  type Events,
  type Method,
  type Request,
  type Responses,
  type SystemInfo,
} from '../../shared/ipc/contract'
import { toKerasConfig } from '../../shared/keras/config'
import { isProject, openModelText } from '../../shared/keras/import'
import { kerasDatasetsDir } from '../datasets/keras'
import { datasetInfos } from '../datasets/registry'
import type { TrainerLauncher, TrainerProcess } from '../trainer/launch'
import type { FromTrainer } from '../trainer/protocol'
import { PROJECT_EXT, readText, writeTextAtomic, type ProjectFiles } from './files'
import { datasetCalls } from './datasets'
import { ServiceError } from './errors'

export interface ServiceOptions {
  host: SystemInfo['host']
  launcher: TrainerLauncher
  files: ProjectFiles
  templatesDir: string
  workspace?: string
  /** Native dialogs, where the host has them (Electron). */
  dialogs?: {
    open(): Promise<string | null>
    save(suggestedName?: string): Promise<string | null>
    /** Your own data: a CSV file or an image folder; the host lets the trainer read what was chosen. */
    openData(kind: 'csv' | 'folder'): Promise<string | null>
  }
  /** Keras's datasets folder; $KERAS_HOME/datasets or ~/.keras/datasets by default. */
  kerasDir?: string
  /** How long a run may take to honour Stop before its process is ended. */
  stopGraceMs?: number
}

type Listener = <E extends EventName>(event: E, payload: Events[E]) => void

interface Run {
  id: string
  proc: TrainerProcess
  state: 'starting' | 'running' | 'ending'
  backend?: BackendName
  epochs: number
  stopTimer?: NodeJS.Timeout
}

export interface Service {
  /** Validates the request against the contract, then runs the handler. Throws ServiceError on bad input. */
  dispatch(method: unknown, request: unknown): Promise<unknown>
  call<M extends Method>(method: M, request: Request<M>): Promise<Responses[M]>
  subscribe(listener: Listener): () => void
  /** Ends every run (used when a host shuts down). */
  shutdown(): void
  /** The live trainer processes, by run id (tests use it to kill one). */
  readonly runs: ReadonlyMap<string, { proc: TrainerProcess }>
}

export function createService(opts: ServiceOptions): Service {
  const listeners = new Set<Listener>()
  const emit: Listener = (event, payload) => {
    for (const l of listeners) l(event, payload)
  }
  const runs = new Map<string, Run>()
  let probe: Promise<Pick<SystemInfo, 'backends' | 'chosenBackend'>> | undefined

  const doc = (raw: unknown) => validateDocument(raw, 'The project')

  const kerasDir = opts.kerasDir ?? kerasDatasetsDir()

  const data = datasetCalls(kerasDir, opts.files, emit)

  function finishStopped(run: Run): void {
    finish(run)
    emit('training.status', { runId: run.id, state: 'stopped', backend: run.backend, message: 'Stopped.' })
  }

  function finish(run: Run): void {
    clearTimeout(run.stopTimer)
    runs.delete(run.id)
    run.state = 'ending'
    run.proc.kill()
  }

  function onTrainerMessage(run: Run, msg: FromTrainer): void {
    const runId = run.id
    switch (msg.type) {
      case 'backend':
        run.backend = msg.backend
        emit('training.status', {
          runId,
          state: 'starting',
          backend: msg.backend,
          backends: msg.reports,
          message: `Backend: ${msg.backend}`,
        })
        return
      case 'running':
        run.state = 'running'
        emit('training.status', {
          runId,
          state: 'running',
          backend: run.backend,
          epoch: 0,
          epochs: msg.epochs,
        })
        return
      case 'batch':
      case 'epoch': {
        const p = msg.progress
        emit('training.metrics', {
          runId,
          kind: msg.type,
          epoch: p.epoch,
          step: p.step,
          logs: p.logs,
          samplesPerSec: p.samplesPerSec,
          elapsedMs: p.elapsedMs,
          etaMs: p.etaMs,
        })
        emit('training.status', {
          runId,
          state: 'running',
          backend: run.backend,
          epoch: p.epoch,
          epochs: p.epochs,
          samplesPerSec: p.samplesPerSec,
          elapsedMs: p.elapsedMs,
          etaMs: p.etaMs,
        })
        return
      }
      case 'done':
        finish(run)
        emit('training.status', {
          runId,
          state: msg.stopped ? 'stopped' : 'done',
          backend: run.backend,
          final: msg.final,
          message: msg.stopped
            ? `Stopped after ${msg.epochsDone} epoch${msg.epochsDone === 1 ? '' : 's'}.`
            : `Finished ${msg.epochsDone} epoch${msg.epochsDone === 1 ? '' : 's'}.`,
        })
        return
      case 'error':
        finish(run)
        emit('training.status', { runId, state: 'failed', backend: run.backend, message: msg.message })
        return
      default: {
        const never: never = msg
        return never
      }
    }
  }

  const handlers: { [M in Method]: (req: Request<M>) => Promise<Responses[M]> } = {
    'model.check': async ({ document }) => {
      const d = doc(document)
      const a = analyze(d)
      return {
        ok: a.ok,
        problems: a.problems,
        nodes: a.nodes,
        totalParams: a.totalParams,
        trainableParams: a.trainableParams,
        nonTrainableParams: a.nonTrainableParams,
        kerasConfig: a.ok ? toKerasConfig(d, a) : undefined,
      }
    },
    'training.start': async ({ document, backend }) => {
      const d = doc(document)
      const modelConfig = toKerasConfig(d)
      const info = datasetInfos(kerasDir).find((x) => x.id === d.dataset.id)
      if (!info?.loadable)
        throw new ServiceError(
          'bad-request',
          `The dataset "${d.dataset.id}" is not available in this version of Netwright. Choose one of: ${datasetInfos(
            kerasDir,
          )
            .filter((x) => x.loadable)
            .map((x) => x.id)
            .join(', ')}.`,
        )
      const dataset = data.resolve(d.dataset)
      const runId = randomUUID()
      const proc = opts.launcher()
      const run: Run = { id: runId, proc, state: 'starting', epochs: d.training.epochs }
      runs.set(runId, run)
      proc.onMessage((m) => onTrainerMessage(run, m))
      proc.onExit((how) => {
        if (!runs.has(runId)) return
        const wasStopping = run.stopTimer !== undefined
        finish(run)
        emit('training.status', {
          runId,
          state: wasStopping ? 'stopped' : 'failed',
          backend: run.backend,
          message: wasStopping
            ? 'Stopped.'
            : `The trainer process ended unexpectedly (${how}). Netwright is still running and your project is unchanged; press Train to try again.`,
        })
      })
      emit('training.status', {
        runId,
        state: 'starting',
        epochs: d.training.epochs,
        message: 'Starting the trainer…',
      })
      // A Keras dataset is found in the cache or downloaded (with progress) while the trainer starts.
      const ready = info.source === 'keras' ? data.prepare(d.dataset.id, runId) : Promise.resolve()
      ready.then(
        () => {
          if (!runs.has(runId)) return
          if (run.stopTimer) return finishStopped(run)
          proc.send({
            type: 'start',
            modelConfig,
            compile: d.compile,
            training: d.training,
            dataset,
            backend,
            kerasDir,
          })
        },
        (err: Error) => {
          if (!runs.has(runId)) return
          finish(run)
          emit('training.status', { runId, state: 'failed', message: err.message })
        },
      )
      return { runId }
    },
    'training.stop': async ({ runId }) => {
      const run = runs.get(runId)
      if (!run) return { stopped: false }
      run.proc.send({ type: 'stop' })
      // The trainer stops after the batch in flight; if it does not answer in time, end its process.
      run.stopTimer ??= setTimeout(() => {
        if (!runs.has(runId)) return
        finish(run)
        emit('training.status', { runId, state: 'stopped', backend: run.backend, message: 'Stopped.' })
      }, opts.stopGraceMs ?? 3000)
      return { stopped: true }
    },
    ...data.handlers,
    'system.info': async () => {
      probe ??= new Promise((resolve) => {
        const p = opts.launcher()
        const done = (r: Pick<SystemInfo, 'backends' | 'chosenBackend'>) => {
          p.kill()
          resolve(r)
        }
        p.onMessage((m) => {
          if (m.type === 'backend') done({ backends: m.reports, chosenBackend: m.backend })
          if (m.type === 'error') done({ backends: [], chosenBackend: null })
        })
        p.onExit(() => done({ backends: [], chosenBackend: null }))
        p.send({ type: 'probe' })
      })
      return {
        host: opts.host,
        nativeDialogs: !!opts.dialogs,
        workspace: opts.workspace,
        versions: {
          node: process.versions.node,
          ...(process.versions.electron ? { electron: process.versions.electron } : {}),
        },
        ...(await probe),
      }
    },
    'project.list': async () => opts.files.list(),
    'project.open': async ({ path }) => {
      const full = opts.files.resolve(path)
      const text = await readText(full)
      const r = openModelText(text, `The file ${path}`)
      return {
        path,
        document: r.document,
        imported: !isProject(text),
        warnings: r.warnings,
      }
    },
    'project.save': async ({ path, document }) => {
      const withExt = path.endsWith('.json') ? path : path + PROJECT_EXT
      const full = opts.files.resolve(withExt)
      await writeTextAtomic(full, serializeDocument(doc(document)))
      return { path: withExt }
    },
    'project.template': async ({ name }) => {
      const text = await readText(join(opts.templatesDir, `${name}${PROJECT_EXT}`))
      return { document: parseDocument(text, `The template ${name}`) }
    },
    'project.templates': async () => {
      const names = (await readdir(opts.templatesDir)).filter((f) => f.endsWith(PROJECT_EXT)).sort()
      return Promise.all(
        names.map(async (file) => {
          const d = parseDocument(await readText(join(opts.templatesDir, file)), `The template ${file}`)
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
    'dialog.open': async () => {
      if (!opts.dialogs) throw new ServiceError('unavailable', 'This host has no native file dialogs.')
      return { path: await opts.dialogs.open() }
    },
    'dialog.save': async ({ suggestedName }) => {
      if (!opts.dialogs) throw new ServiceError('unavailable', 'This host has no native file dialogs.')
      return { path: await opts.dialogs.save(suggestedName) }
    },
    'dialog.openData': async ({ kind }) => {
      if (!opts.dialogs) throw new ServiceError('unavailable', 'This host has no native file dialogs.')
      return { path: await opts.dialogs.openData(kind) }
    },
  }

  async function dispatch(method: unknown, request: unknown): Promise<unknown> {
    if (!isMethod(method)) throw new ServiceError('bad-request', `Unknown call "${String(method)}".`)
    const parsed = requests[method].safeParse(request ?? {})
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      throw new ServiceError(
        'bad-request',
        `Bad request for ${method}: ${issue?.path.join('.') || 'request'} ${issue?.message ?? ''}`.trim(),
      )
    }
    const handler = handlers[method] as (r: unknown) => Promise<unknown>
    return handler(parsed.data)
  }

  return {
    dispatch,
    call: (method, request) => dispatch(method, request) as never,
    subscribe(l) {
      listeners.add(l)
      return () => listeners.delete(l)
    },
    shutdown() {
      for (const run of [...runs.values()]) finish(run)
    },
    runs,
  }
}
