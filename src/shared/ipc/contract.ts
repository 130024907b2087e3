import { z } from 'zod'
import type { Evaluation } from '../evaluation'
import type { Analysis } from '../graph/analyze'
import { BACKENDS, type BackendName, type NetDocument } from '../graph/schema'
import type { KerasModelConfig } from '../keras/config'

import { EXPORT_FORMATS } from './export-formats'
import type { DecisionBoundary, Inspection, LearningRateSweep } from './views'

// The export formats and the teaching views' data live in files of their own; the contract's users
// import them from here too.
export * from './export-formats'
export * from './views'

/**
 * The IPC contract: every call the UI can make, declared once with the zod schema of its request.
 * Each host (Electron ipcMain, the WebSocket server, the CLI) validates requests against these
 * schemas before a handler sees them. Documents travel as `unknown` and are validated by
 * `validateDocument`, which gives messages about the document rather than about the envelope.
 */
export const requests = {
  'model.check': z.object({ document: z.unknown() }),
  'training.start': z.object({
    document: z.unknown(),
    backend: z.enum(BACKENDS).optional(),
    /** Start from this run's weights (fine-tuning) instead of fresh ones. */
    fromRun: z.string().min(1).optional(),
    /** The saved project this run belongs to: it is kept beside it (<name>.runs/), for later sessions. */
    project: z.string().min(1).optional(),
  }),
  'training.stop': z.object({ runId: z.string().min(1) }),
  /** Pauses a run after its batch in flight, keeping the model and the optimizer's state. */
  'training.pause': z.object({ runId: z.string().min(1) }),
  'training.resume': z.object({ runId: z.string().min(1) }),
  /** A run's saved weights on the dataset's test split (its document says which dataset). */
  'model.evaluate': z.object({
    document: z.unknown(),
    runId: z.string().min(1),
    backend: z.enum(BACKENDS).optional(),
  }),
  /** Inside a run's model for one sample of a split: each layer's output (feature maps, activations, the output's probabilities). */
  'model.inspect': z.object({
    document: z.unknown(),
    runId: z.string().min(1),
    split: z.enum(['train', 'test']).default('test'),
    index: z.number().int().nonnegative(),
  }),
  /** The learning rate's effect on this model and data: a learning-rate range test from fresh weights. */
  'model.learningRates': z.object({
    document: z.unknown(),
    backend: z.enum(BACKENDS).optional(),
  }),
  'datasets.list': z.object({}).strict(),
  'datasets.prepare': z.object({ id: z.string().min(1) }),
  'datasets.preview': z.object({
    id: z.string().min(1),
    options: z.record(z.string(), z.unknown()).default({}),
    seed: z.number().int().default(42),
  }),
  /** What some samples of a dataset hold (images, texts, numbers), by index in a split. */
  'datasets.samples': z.object({
    id: z.string().min(1),
    options: z.record(z.string(), z.unknown()).default({}),
    seed: z.number().int().default(42),
    split: z.enum(['train', 'test']).default('test'),
    indices: z.array(z.number().int().nonnegative()).min(1).max(64),
  }),
  'system.info': z.object({}).strict(),
  'project.list': z.object({}).strict(),
  'project.open': z.object({ path: z.string().min(1) }),
  'project.save': z.object({
    path: z.string().min(1),
    document: z.unknown(),
    /** Keep this run's weights beside the project (in <name>.weights/), so reopening brings them back. */
    keepRun: z.string().min(1).optional(),
  }),
  'export.model': z.object({
    document: z.unknown(),
    format: z.enum(EXPORT_FORMATS),
    /** The folder to write into ('' or '.' is the browser host's workspace). */
    folder: z.string(),
    /** The file name without its extension; no path separators. */
    name: z.string().min(1),
    /** The run whose weights are exported (TensorFlow.js needs one). */
    runId: z.string().min(1).optional(),
  }),
  'project.template': z.object({ name: z.string().regex(/^[a-z0-9-]+$/) }),
  'project.templates': z.object({}).strict(),
  'dialog.open': z.object({}).strict(),
  'dialog.save': z.object({ suggestedName: z.string().optional() }),
  'dialog.openData': z.object({ kind: z.enum(['csv', 'folder']) }),
  'dialog.chooseFolder': z.object({}).strict(),
  /**
   * The files the operating system asked the app to open (a double-clicked project, a file on the
   * command line), each once; the `dialog.launched` event says when there are new ones.
   */
  'dialog.launched': z.object({}).strict(),
} as const

export type Method = keyof typeof requests
export type Request<M extends Method> = z.infer<(typeof requests)[M]>

export interface CheckResult {
  ok: boolean
  problems: Analysis['problems']
  nodes: Analysis['nodes']
  totalParams: number
  trainableParams: number
  nonTrainableParams: number
  kerasConfig?: KerasModelConfig
}

export interface BackendReport {
  name: BackendName
  available: boolean
  /** Why it is not available, or what it runs on. */
  detail: string
  /** The GPU adapter the webgpu rung found, as its driver names it; software: a CPU in disguise. */
  adapter?: { name: string; driver: string; software: boolean }
  /** The GPUs the keras rung's Keras sees, by name (none: it trains on the CPU). */
  gpus?: string[]
}

/** One setting of a dataset's loading and preprocessing, as the training panel shows it. */
export interface DatasetOption {
  key: string
  label: string
  kind: 'number' | 'boolean' | 'choice' | 'text'
  default: number | boolean | string
  min?: number
  max?: number
  integer?: boolean
  choices?: { value: string; label: string }[]
  help: string
}

export interface DatasetInfo {
  id: string
  name: string
  task: 'classification' | 'regression'
  description: string
  /** Shape of one sample, without the batch. */
  sampleShape: number[]
  classes: string[]
  /** The settings the user can see and change, with their defaults. */
  options: DatasetOption[]
  defaultOptions: Record<string, number | boolean | string>
  builtIn: boolean
  source?: 'built-in' | 'keras' | 'csv' | 'images'
  citation?: string
  /** Keras datasets: whether every file is already in the cache. */
  cached?: boolean
  /** Whether this version can train on it (the others can be prepared, not trained on yet). */
  loadable?: boolean
  /** Keras datasets: where the files are (or go) in the cache. */
  files?: string[]
}

/** What the dataset browser shows of one dataset, loaded with the given options. */
export interface DatasetPreview {
  id: string
  task: 'classification' | 'regression'
  /** One sample's shape after preprocessing (what the Input layer should take). */
  sampleShape: number[]
  /** Training samples (0 when the files are not in the cache yet). */
  count: number
  /** Rows held back as a test set (CSV, Boston, Reuters). */
  testCount?: number
  classes: string[]
  /** Samples per class in the training data. */
  balance: number[]
  /** Regression: the target's range. */
  target?: { min: number; max: number; mean: number }
  /** Whether the files are there; when not, only the shape is known. */
  cached: boolean
  images?: {
    height: number
    width: number
    channels: number
    /** Pixels 0-255, row-major HxWxC, base64. */
    samples: { label: string; pixels: string }[]
  }
  texts?: { label: string; text: string }[]
  table?: {
    columns: { name: string; kind: string; role: string; detail: string; missing: number }[]
    rows: string[][]
    taskReason?: string
  }
  points?: { x: number; y: number; label: number }[]
  notes: string[]
}

/** Samples by index: images (pixels 0-255, HxWxC, base64), decoded texts, or the numbers of a row. */
export interface DatasetSamples {
  images?: {
    height: number
    width: number
    channels: number
    samples: { index: number; pixels: string }[]
  }
  texts?: { index: number; text: string }[]
  rows?: { index: number; values: number[] }[]
}

export interface SystemInfo {
  host: 'electron' | 'browser' | 'cli'
  /** Can this host show native file dialogs? (Electron only.) */
  nativeDialogs: boolean
  /** The folder the browser host reads and writes projects in. */
  workspace?: string
  versions: Record<string, string>
  backends: BackendReport[]
  chosenBackend: BackendName | null
}

export interface ProjectEntry {
  path: string
  name: string
  modified: number
}

/** A template in the "New from template" gallery. */
export interface TemplateInfo {
  name: string
  title: string
  description: string
  layers: number
  totalParams: number
  dataset: string
}

/** A run whose weights were saved: trained this session, kept beside a project, or imported. */
export interface RunRecord {
  runId: string
  source: 'trained' | 'kept' | 'imported'
  /** Where its model.json is (for messages). */
  modelJson: string
  epochsDone: number
  /** The last epoch's metrics. */
  final: Record<string, number>
  /** Every epoch's metrics, to draw the charts again. */
  history: Record<string, number>[]
  savedAt: string
  documentName: string
  /** The model on its dataset's test split, when it was evaluated. */
  evaluation?: Evaluation
  /** The document it trained (runs kept with a project). */
  document?: NetDocument
}

export interface Responses {
  'model.check': CheckResult
  'training.start': { runId: string }
  'training.stop': { stopped: boolean }
  'training.pause': { paused: boolean }
  'training.resume': { resumed: boolean }
  'model.evaluate': Evaluation
  'datasets.list': DatasetInfo[]
  'datasets.prepare': { id: string; files: string[] }
  'datasets.preview': DatasetPreview
  'model.inspect': Inspection
  'model.learningRates': LearningRateSweep
  'datasets.samples': DatasetSamples
  'system.info': SystemInfo
  'project.list': ProjectEntry[]
  /** `imported` when the file was a Keras or TensorFlow.js model rather than a project. */
  'project.open': {
    path: string
    document: NetDocument
    imported: boolean
    warnings: string[]
    /** Weights that came with it: the run kept beside a project, or an imported model.json's weights. */
    run?: RunRecord
    /** The project's earlier runs (kept beside it), oldest first. */
    history?: RunRecord[]
  }
  'project.save': { path: string; keptRun?: RunRecord }
  'export.model': { files: string[]; notes: string[] }
  'project.template': { document: NetDocument }
  'project.templates': TemplateInfo[]
  'dialog.open': { path: string | null }
  'dialog.save': { path: string | null }
  'dialog.openData': { path: string | null }
  'dialog.chooseFolder': { path: string | null }
  'dialog.launched': { paths: string[] }
}

export type RunState = 'starting' | 'running' | 'paused' | 'done' | 'stopped' | 'failed'

export interface TrainingStatus {
  runId: string
  state: RunState
  message?: string
  backend?: BackendName
  backends?: BackendReport[]
  epoch?: number
  epochs?: number
  samplesPerSec?: number
  elapsedMs?: number
  etaMs?: number
  /** Final metrics when a run ends. */
  final?: Record<string, number>
  /** When a run ends: the weights it saved, for export, fine-tuning and keeping with the project. */
  run?: RunRecord
  /** When a run ends: the model on the dataset's test split (finished or stopped). */
  evaluation?: Evaluation
}

export interface TrainingMetrics {
  runId: string
  kind: 'batch' | 'epoch'
  /** 1-based epoch. */
  epoch: number
  /** Global batch index across epochs (the chart's x for batch points). */
  step: number
  /** Batches in an epoch (Keras's steps), where the trainer says. */
  stepsPerEpoch?: number
  /** At an epoch's end: the validation rows' confusion matrix ([true][predicted]). */
  confusion?: number[][]
  /** At an epoch's end, for a model of two input features: its decision over the data's plane. */
  boundary?: DecisionBoundary
  /** At an epoch's end: each trainable layer's gradient norm ‖∂loss/∂w‖ on a batch of training rows. */
  gradients?: { layer: string; norm: number }[]
  logs: Record<string, number>
  samplesPerSec: number
  elapsedMs: number
  etaMs: number
}

export interface DatasetProgress {
  id: string
  file: string
  bytes: number
  total: number | null
  percent: number | null
  bytesPerSec: number
}

export interface Events {
  'training.status': TrainingStatus
  'training.metrics': TrainingMetrics
  'datasets.progress': DatasetProgress
  /** The operating system asked the app to open files: `dialog.launched` answers which. */
  'dialog.launched': { count: number }
}
export type EventName = keyof Events

/** What the renderer (and tests) talk to, whatever the host. */
export interface NetwrightApi {
  invoke<M extends Method>(method: M, request: Request<M>): Promise<Responses[M]>
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void
}

/** An error that crosses the IPC boundary: a message for the user and a machine-readable code. */
export interface WireError {
  code:
    | 'bad-request'
    | 'invalid-document'
    | 'invalid-model'
    | 'not-found'
    | 'forbidden'
    | 'unavailable'
    | 'internal'
  message: string
}

export const isMethod = (name: unknown): name is Method =>
  typeof name === 'string' && Object.hasOwn(requests, name)
