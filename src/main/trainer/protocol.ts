import type { BackendName, CompileSettings, TrainingSettings } from '../../shared/graph/schema'
import type { BackendReport, Inspection, LearningRateSweep } from '../../shared/ipc/contract'
import type { Evaluation } from '../../shared/evaluation'
import type { KerasModelConfig } from '../../shared/keras/config'
import type { Progress } from './engine'

/** A run for the trainer process: the model, its settings, the dataset, where to save. */
export interface StartMessage {
  modelConfig: KerasModelConfig
  compile: CompileSettings
  training: TrainingSettings
  dataset: { id: string; options: Record<string, unknown> }
  /** Keras's datasets folder, for datasets read from its cache. */
  kerasDir: string
  backend?: BackendName
  /** A tfjs model.json whose weights the model starts from (fine-tuning). */
  init?: string
  /** Where to save the trained model (tfjs format) when the run ends with weights to keep. */
  saveDir?: string
}

/** What the service sends the trainer process. */
export type ToTrainer =
  | ({ type: 'start' } & StartMessage)
  | { type: 'stop' }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'probe' }
  /** Saved weights (init) evaluated on the dataset's test split; answered with 'evaluated'. */
  | ({ type: 'evaluate' } & Omit<StartMessage, 'saveDir' | 'init'> & { init: string })
  /** Saved weights (init) run on one sample of a split, every layer's output kept; answered with 'inspected'. */
  | ({ type: 'inspect' } & Omit<StartMessage, 'saveDir' | 'init'> & {
        init: string
        split: 'train' | 'test'
        index: number
      })
  /** The learning-rate range test from fresh weights; answered with 'lr-swept'. */
  | ({ type: 'lr-sweep' } & Omit<StartMessage, 'saveDir' | 'init'>)

/** What the trainer process sends back. */
export type FromTrainer =
  | { type: 'backend'; backend: BackendName; reports: BackendReport[] }
  | { type: 'running'; epochs: number; samples: number }
  | { type: 'batch'; progress: Progress }
  | { type: 'epoch'; progress: Progress }
  | {
      type: 'done'
      stopped: boolean
      final: Record<string, number>
      epochsDone: number
      tensorsLeaked: number
      /** Whether the model was saved to saveDir. */
      saved: boolean
      /** The trained model on the dataset's test split. */
      evaluation?: Evaluation
      /** What the callbacks did, in a sentence. */
      note?: string
    }
  | { type: 'evaluated'; evaluation: Evaluation }
  | { type: 'inspected'; inspection: Inspection }
  | { type: 'lr-swept'; sweep: LearningRateSweep }
  /** The run has paused after its batch in flight, or goes on. */
  | { type: 'paused' }
  | { type: 'resumed' }
  | { type: 'error'; message: string }
