import { create } from 'zustand'
import { BACKENDS, type BackendName, type NetDocument } from '../../../shared/graph/schema'
import type {
  BackendReport,
  DecisionBoundary,
  RunRecord,
  TrainingMetrics,
  TrainingStatus,
} from '../../../shared/ipc/contract'
import { toKerasConfig } from '../../../shared/keras/config'
import { analyze } from '../../../shared/graph/analyze'
import type { Evaluation } from '../../../shared/evaluation'

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
  /** The model's layers as trained (a key: weights fit a document only if its layers are the same). */
  modelKey?: string
  /** The weights the run saved, once it has ended with some. */
  record?: RunRecord
  /** The dataset it trained on (its samples are shown beside the test predictions). */
  dataset?: RunDataset
  /** The settings it trained with, for the comparison table. */
  settings?: RunSettings
  /** The validation rows' confusion matrix at the last epoch's end (live). */
  confusion?: { epoch: number; matrix: number[][] }
  /** For two input features: the model's decision over the data's plane at the last epoch's end (live). */
  boundary?: { epoch: number } & DecisionBoundary
  /** Each epoch's gradient norm per trainable layer (live). */
  gradients?: { epoch: number; norms: Record<string, number> }[]
}

/** What a run trained with, as the comparison table lists it. */
export type RunSettings = Record<string, string>

export function runSettings(doc: NetDocument, params: number): RunSettings {
  const c = doc.compile
  const t = doc.training
  const options = Object.entries(doc.dataset.options)
    .filter(([k]) => k !== 'path')
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(', ')
  return {
    model: `${doc.nodes.length} layers, ${params.toLocaleString('en-US')} params`,
    layers: doc.nodes.map((n) => n.className).join(' → '),
    dataset: `${doc.dataset.id}${options ? ` (${options})` : ''}`,
    optimizer: `${c.optimizer}, lr ${c.learningRate}`,
    loss: c.loss,
    epochs: String(t.epochs),
    'batch size': String(t.batchSize),
    'validation split': String(t.validationSplit),
    seed: String(t.seed),
    callbacks: t.callbacks.map((cb) => cb.class_name).join(', ') || 'none',
  }
}

/** A run's dataset as its document named it: the id, the options and the seed. */
export interface RunDataset {
  id: string
  options: Record<string, unknown>
  seed: number
}

export const runDataset = (doc: NetDocument): RunDataset => ({
  id: doc.dataset.id,
  options: doc.dataset.options,
  seed: doc.training.seed,
})

/** A run's evaluation on the test split: at its end, or asked for since. */
export const evaluationOf = (r: Run | undefined): Evaluation | undefined =>
  r?.status.evaluation ?? r?.record?.evaluation

/** A key for a document's layers: runs whose key matches can give it their weights. */
export function modelKey(doc: NetDocument): string | undefined {
  try {
    return JSON.stringify(toKerasConfig(doc).config.layers)
  } catch {
    return undefined
  }
}

/** The metric a run is judged by: validation loss when there is one, else the training loss. */
const score = (r: Run): number => r.record?.final.val_loss ?? r.record?.final.loss ?? Infinity

/** The runs whose weights fit this document, best (lowest loss) first. */
export function runsFor(runs: Run[], doc: NetDocument): Run[] {
  const key = modelKey(doc)
  return runs.filter((r) => r.record && key && r.modelKey === key).sort((a, b) => score(a) - score(b))
}

export const describeRun = (r: Run): string => {
  const f = r.record?.final ?? r.status.final ?? {}
  const metric = f.val_loss !== undefined ? 'val_loss' : f.loss !== undefined ? 'loss' : null
  return `${r.label}${metric ? ` (${metric} ${f[metric]!.toFixed(3)})` : ''}`
}

interface TrainingState {
  runs: Run[]
  /** The run whose curves are shown. */
  viewing: string | null
  /** Why the last Train press did not start a run. */
  startError: string | null
  begin(runId: string, summary: string, modelKey?: string, dataset?: RunDataset, settings?: RunSettings): void
  /** The runs whose curves are overlaid (and compared in a table). */
  compare: string[]
  toggleCompare(runId: string): void
  /** A run's weights evaluated on demand. */
  setEvaluation(runId: string, evaluation: Evaluation): void
  /** Adds the weights that came with an opened project or model, with their charts. */
  addRecord(record: RunRecord, doc: NetDocument): void
  /** Adds a project's earlier runs (kept beside it), to look at and compare; nothing else changes. */
  addHistory(records: RunRecord[]): void
  /** The run whose weights the next Train starts from (null: fresh weights). */
  startFrom: string | null
  setStartFrom(runId: string | null): void
  /** The backend the next Train asks for (null: the ladder chooses); remembered across sessions. */
  backend: BackendName | null
  setBackend(backend: BackendName | null): void
  setStartError(message: string | null): void
  view(runId: string): void
  /** Another project: its status line starts fresh (no run shown, no error), the runs stay listed. */
  resetView(): void
  onStatus(s: TrainingStatus): void
  onMetrics(m: TrainingMetrics): void
}

const BACKEND_KEY = 'netwright.backend'
/** `viewing` when no run is shown (another project was opened). */
export const NO_RUN = ''

function rememberedBackend(): BackendName | null {
  try {
    const v = localStorage.getItem(BACKEND_KEY)
    return (BACKENDS as readonly string[]).includes(v ?? '') ? (v as BackendName) : null
  } catch {
    return null
  }
}

/** A saved run's epochs as chart points. */
const pointsOf = (record: RunRecord): ChartPoint[] =>
  record.history.map((logs, i) => ({
    step: i + 1,
    epoch: i + 1,
    loss: logs.loss,
    accuracy: logs.accuracy,
    val_loss: logs.val_loss,
    val_accuracy: logs.val_accuracy,
  }))

export const isLive = (r: Run | undefined): boolean =>
  !!r && (r.status.state === 'starting' || r.status.state === 'running' || r.status.state === 'paused')

export const useTraining = create<TrainingState>((set) => ({
  runs: [],
  viewing: null,
  startError: null,
  startFrom: null,
  setStartFrom: (startFrom) => set({ startFrom }),
  backend: rememberedBackend(),
  setBackend: (backend) => {
    try {
      if (backend) localStorage.setItem(BACKEND_KEY, backend)
      else localStorage.removeItem(BACKEND_KEY)
    } catch {
      // Storage refused (a private window): the choice lasts this session.
    }
    set({ backend })
  },
  addHistory: (records) =>
    set((s) => {
      const known = new Set(s.runs.map((r) => r.id))
      const earlier = records
        .filter((r) => r.document && !known.has(r.runId))
        .map((record): Run => {
          const doc = record.document!
          return {
            id: record.runId,
            label: `Earlier run, ${new Date(record.savedAt).toLocaleString()}`,
            startedAt: Date.parse(record.savedAt) || 0,
            status: {
              runId: record.runId,
              state: 'done',
              final: record.final,
              message: `Kept with the project: ${record.epochsDone} epoch${record.epochsDone === 1 ? '' : 's'}.`,
            },
            points: pointsOf(record),
            summary: `${record.documentName} · earlier run`,
            modelKey: modelKey(doc),
            record,
            dataset: runDataset(doc),
            settings: runSettings(doc, analyze(doc).totalParams),
          }
        })
      return { runs: [...earlier, ...s.runs] }
    }),
  addRecord: (record, doc) =>
    set((s) => {
      const label = record.source === 'imported' ? 'Imported weights' : 'Kept run'
      const run: Run = {
        id: record.runId,
        label,
        startedAt: Date.parse(record.savedAt) || Date.now(),
        status: {
          runId: record.runId,
          state: 'done',
          final: record.final,
          message:
            record.source === 'imported'
              ? `Weights from ${record.modelJson}.`
              : `Kept with the project: ${record.epochsDone} epoch${record.epochsDone === 1 ? '' : 's'}, saved ${new Date(record.savedAt).toLocaleString()}.`,
        },
        points: pointsOf(record),
        summary: `${record.documentName} · ${label.toLowerCase()}`,
        modelKey: modelKey(doc),
        record,
        dataset: runDataset(doc),
      }
      return {
        runs: [...s.runs.filter((r) => r.id !== record.runId), run],
        viewing: run.id,
        // Imported weights are there to be trained on; a kept run is shown, and offered.
        startFrom: record.source === 'imported' ? run.id : s.startFrom,
      }
    }),
  setEvaluation: (runId, evaluation) =>
    set((s) => ({
      runs: s.runs.map((r) => (r.id === runId ? { ...r, status: { ...r.status, evaluation } } : r)),
    })),
  compare: [],
  toggleCompare: (runId) =>
    set((s) => ({
      compare: s.compare.includes(runId) ? s.compare.filter((id) => id !== runId) : [...s.compare, runId],
    })),
  begin: (runId, summary, key, dataset, settings) =>
    set((s) =>
      s.runs.some((r) => r.id === runId)
        ? {
            runs: s.runs.map((r) =>
              r.id === runId ? { ...r, summary, modelKey: key, dataset, settings } : r,
            ),
            viewing: runId,
            startError: null,
          }
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
                modelKey: key,
                dataset,
                settings,
              },
            ],
            viewing: runId,
            startError: null,
          },
    ),
  setStartError: (startError) => set({ startError }),
  view: (viewing) => set({ viewing }),
  resetView: () => set({ viewing: NO_RUN, startError: null, startFrom: null }),
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
            ? {
                ...r,
                status: { ...r.status, ...status },
                backends: status.backends ?? r.backends,
                record: status.run ?? r.record,
              }
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
        const confusion =
          m.kind === 'epoch' && m.confusion ? { epoch: m.epoch, matrix: m.confusion } : r.confusion
        const boundary = m.kind === 'epoch' && m.boundary ? { epoch: m.epoch, ...m.boundary } : r.boundary
        const gradients =
          m.kind === 'epoch' && m.gradients
            ? [
                ...(r.gradients ?? []),
                { epoch: m.epoch, norms: Object.fromEntries(m.gradients.map((g) => [g.layer, g.norm])) },
              ]
            : r.gradients
        return { ...r, points: [...r.points, point], confusion, boundary, gradients }
      }),
    })),
}))
