import { create } from 'zustand'
import type { BackendReport, TrainingMetrics, TrainingStatus } from '../../../shared/ipc/contract'

/** One point on the charts: batch values at every reported batch, epoch values at each epoch's end. */
export interface ChartPoint {
  step: number
  epoch: number
  batch_loss?: number
  batch_accuracy?: number
  loss?: number
  accuracy?: number
  val_loss?: number
  val_accuracy?: number
}

export interface Run {
  id: string
  label: string
  startedAt: number
  status: TrainingStatus
  backends?: BackendReport[]
  points: ChartPoint[]
  summary: string
}

interface TrainingState {
  runs: Run[]
  /** The run whose curves are shown. */
  viewing: string | null
  /** Why the last Train press did not start a run. */
  startError: string | null
  begin(runId: string, summary: string): void
  setStartError(message: string | null): void
  view(runId: string): void
  onStatus(s: TrainingStatus): void
  onMetrics(m: TrainingMetrics): void
}

export const isLive = (r: Run | undefined): boolean =>
  !!r && (r.status.state === 'starting' || r.status.state === 'running')

export const useTraining = create<TrainingState>((set) => ({
  runs: [],
  viewing: null,
  startError: null,
  begin: (runId, summary) =>
    set((s) =>
      s.runs.some((r) => r.id === runId)
        ? { viewing: runId, startError: null }
        : {
            runs: [
              ...s.runs,
              {
                id: runId,
                label: `Run ${s.runs.length + 1}`,
                startedAt: Date.now(),
                status: { runId, state: 'starting' },
                points: [],
                summary,
              },
            ],
            viewing: runId,
            startError: null,
          },
    ),
  setStartError: (startError) => set({ startError }),
  view: (viewing) => set({ viewing }),
  onStatus: (status) =>
    set((s) => {
      // Events can arrive before training.start answers; keep them rather than drop them.
      const known = s.runs.some((r) => r.id === status.runId)
      const runs = known
        ? s.runs
        : [
            ...s.runs,
            {
              id: status.runId,
              label: `Run ${s.runs.length + 1}`,
              startedAt: Date.now(),
              status,
              points: [],
              summary: '',
            },
          ]
      return {
        runs: runs.map((r) =>
          r.id === status.runId
            ? { ...r, status: { ...r.status, ...status }, backends: status.backends ?? r.backends }
            : r,
        ),
        viewing: known ? s.viewing : status.runId,
      }
    }),
  onMetrics: (m) =>
    set((s) => ({
      runs: s.runs.map((r) => {
        if (r.id !== m.runId) return r
        const point: ChartPoint =
          m.kind === 'batch'
            ? { step: m.step, epoch: m.epoch, batch_loss: m.logs.loss, batch_accuracy: m.logs.accuracy }
            : {
                step: m.step,
                epoch: m.epoch,
                loss: m.logs.loss,
                accuracy: m.logs.accuracy,
                val_loss: m.logs.val_loss,
                val_accuracy: m.logs.val_accuracy,
              }
        return { ...r, points: [...r.points, point] }
      }),
    })),
}))
