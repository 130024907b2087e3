// The app's side of the trainer window (window-trainer.ts): it reads the dataset and the weights to
// start from, hands them to the window, writes the model the window sends back, and speaks to the
// service as a trainer process does. And the launcher that picks, per run, the window (Chromium's
// WebGPU / WebGL2 on a real GPU) or the trainer process (tfjs-node(-gpu), wasm, cpu).
import { BACKENDS, type BackendName } from '../../shared/graph/schema'
import type { BackendReport } from '../../shared/ipc/contract'
import { loadAnyDataset } from '../datasets/registry'
import { fileSaver, readTfjsModel } from '../export/tfjs-io'
import type { TrainerLauncher, TrainerProcess } from './launch'
import type { FromTrainer, ToTrainer } from './protocol'
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

/** One probe's answer: the rung a launcher would take by itself, and its reports. */
interface Probed {
  chosen: BackendName | null
  reports: BackendReport[]
}

function probe(launcher: TrainerLauncher): Promise<Probed> {
  return new Promise((resolve) => {
    const p = launcher()
    const done = (r: Probed) => {
      p.kill()
      resolve(r)
    }
    p.onMessage((m) => {
      if (m.type === 'backend') done({ chosen: m.backend, reports: m.reports })
      if (m.type === 'error') done({ chosen: null, reports: [] })
    })
    p.onExit(() => done({ chosen: null, reports: [] }))
    p.send({ type: 'probe' })
  })
}

const IN_WINDOW = new Set<BackendName>(['webgpu', 'webgl'])

/**
 * The app's ladder across both places: tfjs-node-gpu in the trainer process first (when it is
 * installed), then the window's WebGPU or WebGL2 on a real GPU, then the process's other rungs. Each
 * side is probed once; a forced rung goes where it lives. The process's report for the rungs the
 * window owns (its "Dawn does not run inside Electron") gives way to the window's own.
 */
export function gpuFirstLauncher(process: TrainerLauncher, window: TrainerLauncher): TrainerLauncher {
  let probed: Promise<{ proc: Probed; win: Probed }> | undefined
  const both = () =>
    (probed ??= Promise.all([probe(process), probe(window)]).then(([proc, win]) => ({ proc, win })))
  /** The rung the app takes by itself: CUDA in the process, else a GPU in the window, else the process's. */
  const pick = ({ proc, win }: { proc: Probed; win: Probed }): BackendName | null =>
    proc.chosen === 'tfjs-node-gpu'
      ? proc.chosen
      : win.chosen && IN_WINDOW.has(win.chosen)
        ? win.chosen
        : proc.chosen
  /** The whole ladder's reports: the process's, with the window's own for the rungs it owns. */
  const ladder = (proc: Probed, windowReports: BackendReport[], chosen: BackendName | null) => {
    let found = false
    const out: BackendReport[] = []
    for (const name of BACKENDS) {
      const own = (IN_WINDOW.has(name) ? windowReports : proc.reports).find((r) => r.name === name)
      if (!own) continue
      if (found && own.available)
        out.push({ name, available: true, detail: 'not needed: a faster backend was found' })
      else out.push(own)
      if (name === chosen) found = true
    }
    return out
  }
  return () => {
    const listeners: ((m: FromTrainer) => void)[] = []
    const exits: ((how: string) => void)[] = []
    const emit = (m: FromTrainer) => listeners.forEach((l) => l(m))
    let target: TrainerProcess | undefined
    let killed = false
    const queued: ToTrainer[] = []
    const run = (msg: Start) =>
      both().then((probes) => {
        if (killed) return
        const forced = msg.backend
        const place = forced
          ? IN_WINDOW.has(forced)
            ? 'window'
            : 'process'
          : IN_WINDOW.has(pick(probes)!)
            ? 'window'
            : 'process'
        const p = (place === 'window' ? window : process)()
        target = p
        p.onMessage((m) => {
          if (m.type !== 'backend') return emit(m)
          const reports =
            place === 'window'
              ? ladder(probes.proc, m.reports, m.backend)
              : ladder(probes.proc, probes.win.reports, m.backend)
          emit({ ...m, reports: forced ? m.reports : reports })
        })
        p.onExit((how) => exits.forEach((l) => l(how)))
        p.send(msg)
        for (const m of queued.splice(0)) p.send(m)
      })
    return {
      get pid() {
        return target?.pid
      },
      send: (msg) => {
        if (target) target.send(msg)
        else if (msg.type === 'stop') queued.push(msg)
        else if (msg.type === 'probe')
          void both().then((probes) => {
            const chosen = pick(probes)
            if (chosen)
              emit({
                type: 'backend',
                backend: chosen,
                reports: ladder(probes.proc, probes.win.reports, chosen),
              })
            else emit({ type: 'error', message: 'No backend could start.' })
          })
        else void run(msg)
      },
      onMessage: (l) => listeners.push(l),
      onExit: (l) => exits.push(l),
      kill: () => {
        if (killed) return
        killed = true
        if (target) target.kill()
        else setTimeout(() => exits.forEach((l) => l('closed')), 0) // as a process's exit: later
      },
    }
  }
}
