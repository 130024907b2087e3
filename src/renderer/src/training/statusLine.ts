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
      // The message itself is in the error banner under this line: said once.
      return `${backend} · training failed (the reason is below)`
    case 'done':
    case 'stopped': {
      const f = s.final
      const acc = f?.val_accuracy ?? f?.accuracy
      return `${backend} · ${s.message ?? s.state}${acc !== undefined ? ` · ${f?.val_accuracy !== undefined ? 'val_accuracy' : 'accuracy'} ${acc.toFixed(3)}` : ''}`
    }
    default: {
      const never: never = s.state
      return never
    }
  }
}
