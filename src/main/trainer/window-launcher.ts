// The app's side of the trainer window (window-trainer.ts): it reads the dataset and the weights to
// start from, hands them to the window, writes the model the window sends back, and speaks to the
// service as a trainer process does. And the launcher that picks, per run, the window (Chromium's
// WebGPU / WebGL2 on a real GPU) or the trainer process (tfjs-node(-gpu), wasm, cpu).
import type { BackendName } from '../../shared/graph/schema'
import { loadAnyDataset } from '../datasets/registry'
import { fileSaver, readTfjsModel } from '../export/tfjs-io'
import type { TrainerLauncher } from './launch'
import type { FromTrainer, ToTrainer } from './protocol'
import { routeLauncher } from './router'
import type { FromWindowTrainer, ToWindowTrainer } from './window-trainer'

/** A trainer window as the launcher needs it; Electron's hidden BrowserWindow in the app. */
export interface TrainerWindow {
  send(msg: ToWindowTrainer): void
  onMessage(listener: (msg: FromWindowTrainer) => void): void
  /** Called once when the window's page is gone (closed, crashed), with how. */
  onGone(listener: (how: string) => void): void
  close(): void
}

type Start = Extract<ToTrainer, { type: 'start' }>

/** A trainer "process" whose work happens in a trainer window opened by `open`. */
export function windowLauncher(open: () => TrainerWindow): TrainerLauncher {
  return () => {
    const win = open()
    const listeners: ((m: FromTrainer) => void)[] = []
    const exits: ((how: string) => void)[] = []
    let gone = false
    let start: Start | undefined
    let writing: Promise<void> = Promise.resolve()
    const emit = (m: FromTrainer) => listeners.forEach((l) => l(m))
    win.onGone((how) => {
      if (gone) return
      gone = true
      exits.forEach((l) => l(how))
    })
    win.onMessage((m) => {
      if (m.type === 'model') {
        const dir = start?.saveDir
        if (dir)
          writing = fileSaver(dir).save!({ ...m.artifacts, weightData: m.weightData.slice().buffer }).then(
            () => undefined,
          )
        return
      }
      // `done` says the model is saved only once it is on disk.
      if (m.type === 'done')
        void writing.then(
          () => emit(m),
          (err: Error) =>
            emit({ type: 'error', message: `The trained model could not be saved: ${err.message}` }),
        )
      else emit(m)
    })
    const begin = async (msg: Start) => {
      start = msg
      const data = await loadAnyDataset(msg.dataset.id, msg.dataset.options, msg.training.seed, msg.kerasDir)
      const init = msg.init ? { files: await readTfjsModel(msg.init), source: msg.init } : undefined
      const { dataset: _d, kerasDir: _k, init: _i, saveDir, ...rest } = msg
      win.send({ ...rest, data, init, save: !!saveDir })
    }
    return {
      pid: undefined,
      send: (msg) => {
        if (gone) return
        if (msg.type === 'start')
          begin(msg).catch((err: Error) => emit({ type: 'error', message: err.message ?? String(err) }))
        // Evaluations run in the trainer process (the router sends them there).
        else if (msg.type === 'evaluate' || msg.type === 'inspect' || msg.type === 'lr-sweep')
          emit({
            type: 'error',
            message: 'The trainer window only trains; the trainer process does the rest.',
          })
        else win.send(msg)
      },
      onMessage: (l) => listeners.push(l),
      onExit: (l) => exits.push(l),
      kill: () => {
        if (gone) return
        gone = true
        win.close()
        setTimeout(() => exits.forEach((l) => l('closed')), 0) // as a process's exit: later
      },
    }
  }
}

const IN_WINDOW = new Set<BackendName>(['webgpu', 'webgl'])

/**
 * The app's ladder across both places: tfjs-node-gpu in the trainer process first (when it is
 * installed), then the window's WebGPU or WebGL2 on a real GPU, then the process's other rungs. Each
 * side is probed once; a forced rung goes where it lives. The process's report for the rungs the
 * window owns (its "Dawn does not run inside Electron") gives way to the window's own.
 */
export function gpuFirstLauncher(process: TrainerLauncher, window: TrainerLauncher): TrainerLauncher {
  return routeLauncher(
    [
      { launcher: window, owns: (b) => IN_WINDOW.has(b) },
      { launcher: process, owns: (b) => !IN_WINDOW.has(b) },
    ],
    ([win, proc]) =>
      proc!.chosen === 'tfjs-node-gpu' ? 1 : win!.chosen && IN_WINDOW.has(win!.chosen) ? 0 : 1,
  )
}
