import { describe, expect, it } from 'vitest'
import { CallbackSchema, decayedRate, type Callback } from '../../shared/graph/callbacks'
import { toKerasConfig } from '../../shared/keras/config'
import { shapesDoc } from '../../shared/testing'
import { loadDataset } from '../datasets/builtins'
import { chooseBackend } from './backends'
import { disposeModel, train, type TrainJob } from './engine'

const cb = (raw: unknown): Callback => CallbackSchema.parse(raw)
const job = (epochs: number, callbacks: Callback[], learningRate = 0.001): TrainJob => {
  const doc = shapesDoc()
  return {
    modelConfig: toKerasConfig(doc),
    compile: { ...doc.compile, learningRate },
    training: { ...doc.training, epochs, callbacks },
  }
}

describe('callbacks in the in-app trainer (Keras’s rules)', async () => {
  const { tf } = await chooseBackend()
  const data = loadDataset('shapes', { count: 150 }, 4)

  it('EarlyStopping ends a long run when the monitored value stops improving, and restores the best weights', async () => {
    const history: Record<string, number>[] = []
    const r = await train(
      tf,
      job(300, [
        cb({
          class_name: 'EarlyStopping',
          config: { patience: 1, min_delta: 0.05, restore_best_weights: true },
        }),
      ]),
      data,
      { onEpoch: (p) => history.push(p.logs) },
    )
    expect(r.stopped).toBe(false) // a finish, not a Stop
    expect(r.epochsDone).toBeLessThan(300)
    expect(r.note).toMatch(
      /^EarlyStopping ended the run after epoch \d+: val_loss had not improved for 1 epoch/,
    )
    // The last epoch did not improve by min_delta on the best before it.
    const losses = history.map((h) => h.val_loss!)
    const best = Math.min(...losses.slice(0, -1))
    expect(losses.at(-1)!).toBeGreaterThan(best - 0.05)
    disposeModel(r.model)
  })

  it('ReduceLROnPlateau lowers the learning rate, and the logs carry it', async () => {
    const rates: number[] = []
    const r = await train(
      tf,
      job(8, [cb({ class_name: 'ReduceLROnPlateau', config: { patience: 0, factor: 0.5, min_delta: 10 } })]),
      data,
      { onEpoch: (p) => rates.push(p.logs.learning_rate!) },
    )
    // min_delta 10: no epoch counts as an improvement after the first, so every later one halves it.
    expect(rates[0]).toBeCloseTo(0.001)
    expect(rates[2]).toBeCloseTo(0.00025)
    expect(r.note).toContain('ReduceLROnPlateau lowered the learning rate')
    disposeModel(r.model)
  })

  it('ExponentialDecay sets the rate before every step, as Keras computes it (staircase: in steps)', async () => {
    const c = cb({
      class_name: 'ExponentialDecay',
      config: { decay_steps: 4, decay_rate: 0.5, staircase: true },
    })
    const rates: number[] = []
    await train(tf, job(2, [c], 0.01), data, { onEpoch: (p) => rates.push(p.logs.learning_rate!) }).then(
      (r) => disposeModel(r.model),
    )
    // 120 training samples at 32 a batch: 4 steps an epoch; after 4 and 8 steps the rate halves.
    expect(rates[0]).toBeCloseTo(0.005)
    expect(rates[1]).toBeCloseTo(0.0025)
    expect(
      decayedRate((c as Extract<Callback, { class_name: 'ExponentialDecay' }>).config, 0.01, 6),
    ).toBeCloseTo(0.005)
  })

  it('ModelCheckpoint (save_best_only) keeps the weights of the best epoch for the run', async () => {
    const history: number[] = []
    const r = await train(
      tf,
      job(6, [cb({ class_name: 'ModelCheckpoint', config: { monitor: 'val_accuracy' } })], 0.05),
      data,
      { onEpoch: (p) => history.push(p.logs.val_accuracy!) },
    )
    const best = Math.max(...history)
    // The model as kept scores the best epoch's validation accuracy.
    const n = data.y.length
    const from = Math.floor(n * 0.8)
    const x = tf.tensor(data.x.slice(from * 784), [n - from, 28, 28])
    const predicted = (r.model.predict(x) as import('@tensorflow/tfjs').Tensor).argMax(-1)
    const right = Array.from(await predicted.data()).filter((p, i) => p === data.y[from + i]).length
    tf.dispose([x, predicted])
    expect(right / (n - from)).toBeCloseTo(best, 5)
    if (history.indexOf(best) !== history.length - 1) expect(r.note).toContain('kept the weights of epoch')
    disposeModel(r.model)
  })

  it('refuses a callback it does not know, or a setting out of range, in Keras’s names', () => {
    expect(CallbackSchema.safeParse({ class_name: 'TensorBoard' }).success).toBe(false)
    expect(CallbackSchema.safeParse({ class_name: 'EarlyStopping', config: { patience: -1 } }).success).toBe(
      false,
    )
    expect(CallbackSchema.safeParse({ class_name: 'EarlyStopping', config: { patiense: 3 } }).success).toBe(
      false,
    )
    expect(cb({ class_name: 'EarlyStopping' }).config).toMatchObject({
      monitor: 'val_loss',
      patience: 0,
      mode: 'auto',
    })
  })
})
