import { randomUUID } from 'node:crypto'
import { analyze } from '../../shared/graph/analyze'
import { jsonOutOfBounds, REQUEST_BOUNDS, showValue } from '../../shared/json-limits'
import { validateDocument } from '../../shared/graph/load'
import {
  isMethod,
  requests,
  type Method,
  type Request,
  type Responses,
  type SystemInfo,
} from '../../shared/ipc/contract'
import { toKerasConfig } from '../../shared/keras/config'
import { kerasDatasetsDir } from '../datasets/keras'
import { datasetInfos } from '../datasets/registry'
import { defaultRunsDir, runStore } from './runs'
import type { TrainerLauncher, TrainerProcess } from '../trainer/launch'
import { PROJECT_EXT, type ProjectFiles } from './files'
import { datasetCalls } from './datasets'
import { modelCalls } from './models'
import { trainerMessages, type Listener, type Run } from './trainer-messages'
import { projectCalls } from './projects'
import { sweepTemps } from './litter'
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
    /** A folder to export into; the host lets the service write there. */
    chooseFolder(): Promise<string | null>
    /** The files the OS asked the app to open since it was last asked, granted to the service. */
    launched?(): string[]
  }
  /** Keras's datasets folder; $KERAS_HOME/datasets or ~/.keras/datasets by default. */
  kerasDir?: string
  /** How long a run may take to honour Stop before its process is ended. */
  stopGraceMs?: number
  /** Where trained runs' weights are saved; the platform's cache folder by default. */
  runsDir?: string
}

export interface Service {
  /** Validates the request against the contract, then runs the handler. Throws ServiceError on bad input. */
  dispatch(method: unknown, request: unknown): Promise<unknown>
  call<M extends Method>(method: M, request: Request<M>): Promise<Responses[M]>
  subscribe(listener: Listener): () => void
  /** Ends every run (used when a host shuts down). */
  shutdown(): void
  /** Settles once the temporary files of killed saves have been cleaned at start. */
  readonly swept: Promise<void>
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
  const runsDir = opts.runsDir ?? defaultRunsDir()
  const store = runStore(runsDir)
  // What killed saves, exports and downloads left behind goes at start: in the workspace, the runs
  // cache and Keras's cache (then in each folder a save or export writes to).
  const swept = Promise.all([
    opts.workspace ? sweepTemps(opts.workspace, 3) : null,
    sweepTemps(runsDir, 1),
    sweepTemps(kerasDir, 2),
  ]).then(() => store.prune())
  swept.catch(() => {})

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

  const onTrainerMessage = trainerMessages({ emit, store, finish })

  const projects = projectCalls({ ...opts, store, data, kerasDir, doc })
  const models = modelCalls({ launcher: opts.launcher, store, data, kerasDir, doc })

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
    'training.start': async ({ document, backend, fromRun, project }) => {
      const d = doc(document)
      // The project the run is kept with: a path the host allows, as a save would be.
      const projectPath = project
        ? opts.files.resolve(project.endsWith('.json') ? project : project + PROJECT_EXT)
        : undefined
      const modelConfig = toKerasConfig(d)
      const from = fromRun ? store.get(fromRun) : undefined
      if (fromRun && !from)
        throw new ServiceError(
          'not-found',
          'The weights to start from are not available any more; train from fresh weights, or open the model again.',
        )
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
      const run: Run = {
        id: runId,
        proc,
        state: 'starting',
        epochs: d.training.epochs,
        history: [],
        documentName: d.name,
        ...(projectPath ? { project: { path: projectPath, document: d } } : {}),
      }
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
            init: from?.modelJson,
            saveDir: store.dirFor(runId),
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
    ...models,
    'training.pause': async ({ runId }) => {
      const run = runs.get(runId)
      if (!run || run.stopTimer) return { paused: false }
      run.proc.send({ type: 'pause' })
      return { paused: true }
    },
    'training.resume': async ({ runId }) => {
      const run = runs.get(runId)
      if (!run || run.stopTimer) return { resumed: false }
      run.proc.send({ type: 'resume' })
      return { resumed: true }
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
    ...projects,
  }

  async function dispatch(method: unknown, request: unknown): Promise<unknown> {
    if (!isMethod(method)) throw new ServiceError('bad-request', `Unknown call ${showValue(method, 60)}.`)
    // Measured before anything walks it: a request nested thousands deep would overflow every
    // recursive step after this one (zod, JSON.stringify, structured cloning to the trainer).
    const tooBig = jsonOutOfBounds(request, REQUEST_BOUNDS)
    if (tooBig) throw new ServiceError('bad-request', `The request for ${method} was refused: ${tooBig}.`)
    const parsed = requests[method].safeParse(request ?? {})
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      throw new ServiceError(
        'bad-request',
        `Bad request for ${method}: ${issue?.path.join('.') || 'the request'} ${(issue?.message ?? '')
          .replace(/^Invalid input: expected (\w+), received (\w+)$/, 'should be a $1, not $2')
          .replace(
            /^Invalid option: expected one of (.*)$/,
            (_m, list: string) => `should be one of ${list.replace(/"\|"/g, '", "')}`,
          )
          .replace(/^Invalid input$/, 'is not in a form Netwright knows')}.`.trim(),
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
    swept: swept.then(
      () => undefined,
      () => undefined,
    ),
    shutdown() {
      for (const run of [...runs.values()]) finish(run)
    },
    runs,
  }
}
