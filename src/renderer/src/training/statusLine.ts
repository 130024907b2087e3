import type { Run } from '../store/training'

const seconds = (ms?: number) =>
  ms === undefined
    ? '—'
    : ms < 60_000
      ? `${Math.round(ms / 1000)}s`
      : `${Math.floor(ms / 60_000)}m ${Math.round((ms % 60_000) / 1000)}s`

/** The one line that says what a run is doing: backend, epoch, speed, time left. */
export function statusLine(run: Run | undefined): string {
  if (!run) return 'Ready. Press Train to start.'
  const s = run.status
  const adapter = s.backends?.find((b) => b.name === s.backend)?.adapter
  const on = adapter ? ` on ${adapter.name}${adapter.software ? ' (software)' : ''}` : ''
  const backend = s.backend ? `Backend: ${s.backend}${on}` : 'Backend: choosing…'
  switch (s.state) {
    case 'starting':
      // The trainer's "Backend: …" is what the line starts with already.
      return `${backend} · ${s.message && s.message !== 'Starting the trainer…' && !s.message.startsWith('Backend:') ? s.message : 'starting…'}`
    case 'paused':
      return `${backend} · paused at epoch ${s.epoch ?? 0}/${s.epochs ?? '?'} · Resume goes on from here`
    case 'running':
      return `${backend} · epoch ${s.epoch ?? 0}/${s.epochs ?? '?'} · ${Math.round(s.samplesPerSec ?? 0)} samples/s · ${seconds(s.etaMs)} left`
    case 'failed':
      // The message itself is in the error banner under this line: said once. A run that failed
      // before a backend was chosen (a download, say) has none to name.
      return s.backend
        ? `${backend} · training failed (the reason is below)`
        : 'Training failed (the reason is below)'
    case 'done':
    case 'stopped': {
      // The same figure whether the run finished or was stopped: the validation accuracy of its last
      // whole epoch (a stopped run's last, partial epoch has no validation), else the training one.
      const f = s.final
      const lastVal = run.points.findLast((p) => p.val_accuracy !== undefined)?.val_accuracy
      const val = f?.val_accuracy ?? lastVal
      const figure =
        val !== undefined
          ? ` · val_accuracy ${val.toFixed(3)}`
          : f?.accuracy !== undefined
            ? ` · accuracy ${f.accuracy.toFixed(3)}`
            : ''
      return `${backend} · ${s.message ?? s.state}${figure}`
    }
    default: {
      const never: never = s.state
      return never
    }
  }
}
