// The calls that run a run's saved weights in a trainer process: evaluate them on the test split, or
// look inside the model for one sample.
import type { Evaluation } from '../../shared/evaluation'
import type { NetDocument } from '../../shared/graph/schema'
import type { Inspection, LearningRateSweep, Request } from '../../shared/ipc/contract'
import { toKerasConfig } from '../../shared/keras/config'
import { datasetInfos } from '../datasets/registry'
import type { TrainerLauncher } from '../trainer/launch'
import type { FromTrainer, ToTrainer } from '../trainer/protocol'
import type { datasetCalls } from './datasets'
import { ServiceError } from './errors'
import type { runStore } from './runs'

interface Deps {
  launcher: TrainerLauncher
  store: ReturnType<typeof runStore>
  data: ReturnType<typeof datasetCalls>
  kerasDir: string
  doc: (raw: unknown) => NetDocument
}

type Answer<T extends FromTrainer['type']> = Extract<FromTrainer, { type: T }>

export function modelCalls({ launcher, store, data, kerasDir, doc }: Deps) {
  /** The document, its run's saved weights and its dataset (downloaded first where it must be). */
  async function prepare(document: unknown, runId: string) {
    const from = store.get(runId)
    if (!from)
      throw new ServiceError(
        'not-found',
        'Those weights are not available any more; train the model again, or open it again.',
      )
    return { ...(await fresh(document)), init: from.modelJson }
  }

  /** Sends one message to a new trainer process and waits for its answer of type `want`. */
  function ask<T extends FromTrainer['type']>(msg: ToTrainer, want: T, what: string): Promise<Answer<T>> {
    const proc = launcher()
    return new Promise<Answer<T>>((resolve, reject) => {
      proc.onMessage((m) => {
        if (m.type === want) resolve(m as Answer<T>)
        if (m.type === 'error') reject(new ServiceError('invalid-model', m.message))
      })
      proc.onExit((how) =>
        reject(new ServiceError('internal', `The trainer process ended before ${what} (${how}).`)),
      )
      proc.send(msg)
    }).finally(() => proc.kill())
  }

  /** The document and its dataset (downloaded first where it must be), for a run from fresh weights. */
  async function fresh(document: unknown) {
    const d = doc(document)
    const dataset = data.resolve(d.dataset)
    if (datasetInfos(kerasDir).find((x) => x.id === d.dataset.id)?.source === 'keras')
      await data.prepare(d.dataset.id)
    return { modelConfig: toKerasConfig(d), compile: d.compile, training: d.training, dataset, kerasDir }
  }

  return {
    'model.learningRates': async ({
      document,
      backend,
    }: Request<'model.learningRates'>): Promise<LearningRateSweep> => {
      const job = await fresh(document)
      const msg: ToTrainer = { type: 'lr-sweep', ...job, backend: backend === 'keras' ? undefined : backend }
      return (await ask(msg, 'lr-swept', 'the learning-rate test')).sweep
    },
    'model.evaluate': async ({
      document,
      runId,
      backend,
    }: Request<'model.evaluate'>): Promise<Evaluation> => {
      const job = await prepare(document, runId)
      // Keras evaluates its own runs as they end; saved weights are evaluated in-app.
      const msg: ToTrainer = { type: 'evaluate', ...job, backend: backend === 'keras' ? undefined : backend }
      return (await ask(msg, 'evaluated', 'the evaluation')).evaluation
    },
    'model.inspect': async ({
      document,
      runId,
      split,
      index,
    }: Request<'model.inspect'>): Promise<Inspection> => {
      const job = await prepare(document, runId)
      return (await ask({ type: 'inspect', ...job, split, index }, 'inspected', 'the look inside')).inspection
    },
  }
}
