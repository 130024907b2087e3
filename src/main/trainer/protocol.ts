import type { BackendName, CompileSettings, TrainingSettings } from '../../shared/graph/schema'
import type { BackendReport } from '../../shared/ipc/contract'
import type { KerasModelConfig } from '../../shared/keras/config'
import type { Progress } from './engine'

/** What the service sends the trainer process. */
export type ToTrainer =
  | {
      type: 'start'
      modelConfig: KerasModelConfig
      compile: CompileSettings
      training: TrainingSettings
      dataset: { id: string; options: Record<string, unknown> }
      /** Keras's datasets folder, for datasets read from its cache. */
      kerasDir: string
      backend?: BackendName
    }
  | { type: 'stop' }
  | { type: 'probe' }

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
    }
  | { type: 'error'; message: string }
