// What the trainer process says about a run, turned into the service's events (training.status,
// training.metrics) and the run's record in the run store.
import type { BackendName, NetDocument } from '../../shared/graph/schema'
import type { EventName, Events } from '../../shared/ipc/contract'
import type { TrainerProcess } from '../trainer/launch'
import type { FromTrainer } from '../trainer/protocol'
import type { runStore } from './runs'

export type Listener = <E extends EventName>(event: E, payload: Events[E]) => void

export interface Run {
  id: string
  proc: TrainerProcess
  state: 'starting' | 'running' | 'ending'
  backend?: BackendName
  epochs: number
  stopTimer?: NodeJS.Timeout
  history: Record<string, number>[]
  documentName: string
  /** The saved project it belongs to, and the document it trained: the run is kept beside it. */
  project?: { path: string; document: NetDocument }
}

export function trainerMessages({
  emit,
  store,
  finish,
}: {
  emit: Listener
  store: ReturnType<typeof runStore>
  /** Ends the run's process and forgets it (the service's). */
  finish: (run: Run) => void
}) {
  return function onTrainerMessage(run: Run, msg: FromTrainer): void {
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
        if (msg.type === 'epoch') run.history.push(p.logs)
        // Every figure the trainer reports goes on to the UI as it is (epochs goes in the status).
        const { epochs: _epochs, ...metrics } = p
        emit('training.metrics', { runId, kind: msg.type, ...metrics })
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
      case 'done': {
        finish(run)
        const status = {
          runId,
          state: msg.stopped ? ('stopped' as const) : ('done' as const),
          backend: run.backend,
          final: msg.final,
          ...(msg.evaluation ? { evaluation: msg.evaluation } : {}),
          message:
            (msg.stopped
              ? `Stopped after ${msg.epochsDone} epoch${msg.epochsDone === 1 ? '' : 's'}.`
              : msg.epochsDone < run.epochs
                ? `Finished after ${msg.epochsDone} of ${run.epochs} epochs.`
                : `Finished ${msg.epochsDone} epoch${msg.epochsDone === 1 ? '' : 's'}.`) +
            (msg.note ? ` ${msg.note.charAt(0).toUpperCase()}${msg.note.slice(1)}` : ''),
        }
        if (!msg.saved) {
          emit('training.status', status)
          return
        }
        store
          .addTrained({
            runId,
            epochsDone: msg.epochsDone,
            final: msg.final,
            history: run.history,
            documentName: run.documentName,
            ...(msg.evaluation ? { evaluation: msg.evaluation } : {}),
          })
          .then(async (record) => {
            const kept = run.project
              ? await store.addToProject(run.project.path, record.runId, run.project.document).then(
                  () => '',
                  (e: Error) => ` It could not be kept with the project: ${e.message}`,
                )
              : ''
            emit('training.status', { ...status, message: status.message + kept, run: record })
          })
          .then(
            () => {},
            (err: Error) =>
              emit('training.status', {
                ...status,
                message: `${status.message} Its weights could not be recorded: ${err.message}`,
              }),
          )
        return
      }
      case 'error':
        finish(run)
        emit('training.status', { runId, state: 'failed', backend: run.backend, message: msg.message })
        return
      case 'evaluated': // answer model.evaluate, model.inspect and model.learningRates, which listen for them themselves
      case 'inspected':
      case 'lr-swept':
        return
      case 'paused':
      case 'resumed':
        emit('training.status', {
          runId,
          state: msg.type === 'paused' ? 'paused' : 'running',
          backend: run.backend,
          message:
            msg.type === 'paused' ? 'Paused: the model and the optimizer wait as they are.' : undefined,
        })
        return
      default: {
        const never: never = msg
        return never
      }
    }
  }
}
