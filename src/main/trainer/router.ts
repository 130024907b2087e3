// One launcher over several places a run can train in (the trainer process, the app's trainer
// window, the user's own Keras): each place is probed once, a run goes where the ladder says (or
// where its forced rung lives), and the reports of every place read as one ladder.
import { BACKENDS, type BackendName } from '../../shared/graph/schema'
import type { BackendReport } from '../../shared/ipc/contract'
import type { TrainerLauncher, TrainerProcess } from './launch'
import type { FromTrainer, ToTrainer } from './protocol'

/** One probe's answer: the rung a place would take by itself (null: none works there), and its reports. */
export interface Probed {
  chosen: BackendName | null
  reports: BackendReport[]
}

/** A place runs train in, and the rungs it owns (a forced rung goes to the place that owns it). */
export interface Place {
  launcher: TrainerLauncher
  owns: (backend: BackendName) => boolean
}

export function probe(launcher: TrainerLauncher): Promise<Probed> {
  return new Promise((resolve) => {
    const p = launcher()
    let answered = false
    const done = (r: Probed) => {
      if (answered) return
      answered = true
      p.kill()
      resolve(r)
    }
    p.onMessage((m) => {
      if (m.type === 'backend')
        done({
          chosen: m.reports.find((r) => r.name === m.backend)?.available === false ? null : m.backend,
          reports: m.reports,
        })
      if (m.type === 'error') done({ chosen: null, reports: [] })
    })
    p.onExit(() => done({ chosen: null, reports: [] }))
    p.send({ type: 'probe' })
  })
}

/**
 * Every rung's report in the ladder's order, each from the place that owns it; the available rungs
 * after the chosen one were not needed.
 */
function ladder(places: Place[], reports: BackendReport[][], chosen: BackendName | null): BackendReport[] {
  let found = false
  const out: BackendReport[] = []
  for (const name of BACKENDS) {
    const at = places.findIndex((p) => p.owns(name))
    const own = reports[at]?.find((r) => r.name === name)
    if (!own) continue
    if (found && own.available)
      out.push({ name, available: true, detail: 'not needed: a faster backend was found' })
    else out.push(own)
    if (name === chosen) found = true
  }
  return out
}

/**
 * A launcher over `places`: `pick` says which place trains a run that forces no rung, from every
 * place's probe. A run's own backend report is merged with the other places' probes.
 */
export function routeLauncher(places: Place[], pick: (probes: Probed[]) => number): TrainerLauncher {
  let probed: Promise<Probed[]> | undefined
  const all = () => (probed ??= Promise.all(places.map((p) => probe(p.launcher))))
  type Start = Extract<ToTrainer, { type: 'start' | 'evaluate' | 'inspect' | 'lr-sweep' }>
  return () => {
    const listeners: ((m: FromTrainer) => void)[] = []
    const exits: ((how: string) => void)[] = []
    const emit = (m: FromTrainer) => listeners.forEach((l) => l(m))
    let target: TrainerProcess | undefined
    let killed = false
    const queued: ToTrainer[] = []
    const run = (msg: Start) =>
      all().then((probes) => {
        if (killed) return
        const forced = msg.backend
        // An evaluation (a look inside, one sample; the learning-rate test, a few batches) goes to the last place (the in-app trainer process) unless a rung is forced:
        // predicting a test set is quick there, and a Python or a window would cost more to start.
        const at = forced
          ? Math.max(
              0,
              places.findIndex((p) => p.owns(forced)),
            )
          : msg.type === 'evaluate' || msg.type === 'inspect' || msg.type === 'lr-sweep'
            ? places.length - 1
            : pick(probes)
        const p = places[at]!.launcher()
        target = p
        p.onMessage((m) => {
          if (m.type !== 'backend') return emit(m)
          if (forced) return emit(m)
          const reports = probes.map((pr, i) => (i === at ? m.reports : pr.reports))
          emit({ ...m, reports: ladder(places, reports, m.backend) })
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
        else if (msg.type === 'stop' || msg.type === 'pause' || msg.type === 'resume') queued.push(msg)
        else if (msg.type === 'probe')
          void all().then((probes) => {
            const chosen = probes[pick(probes)]?.chosen
            if (chosen)
              emit({
                type: 'backend',
                backend: chosen,
                reports: ladder(
                  places,
                  probes.map((p) => p.reports),
                  chosen,
                ),
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
