import { describe, expect, it } from 'vitest'
import type { Run } from '../store/training'
import { statusLine } from './statusLine'

const run = (status: Partial<Run['status']>, points: Run['points'] = []): Run =>
  ({ id: 'r', label: 'Run 1', points, summary: '', status: { runId: 'r', state: 'done', ...status } }) as Run

describe('the status line', () => {
  it('gives a stopped run the same figure as a finished one: its last validation accuracy', () => {
    const points = [
      { step: 10, epoch: 1, loss: 0.9, accuracy: 0.6, val_loss: 0.8, val_accuracy: 0.7 },
      { step: 15, epoch: 2, batch_loss: 0.5, batch_accuracy: 0.9 },
    ]
    const done = statusLine(
      run(
        {
          state: 'done',
          backend: 'wasm',
          message: 'Finished 1 epoch.',
          final: { accuracy: 0.6, val_accuracy: 0.7 },
        },
        points,
      ),
    )
    const stopped = statusLine(
      run({ state: 'stopped', backend: 'wasm', message: 'Stopped.', final: { accuracy: 0.9 } }, points),
    )
    expect(done).toBe('Backend: wasm · Finished 1 epoch. · val_accuracy 0.700')
    expect(stopped).toBe('Backend: wasm · Stopped. · val_accuracy 0.700')
    // Without validation at all, the training accuracy, named as such.
    expect(
      statusLine(run({ state: 'stopped', backend: 'wasm', message: 'Stopped.', final: { accuracy: 0.9 } })),
    ).toBe('Backend: wasm · Stopped. · accuracy 0.900')
  })

  it('does not say a backend is being chosen for a run that failed before one was', () => {
    expect(statusLine(run({ state: 'failed', message: 'Could not download mnist.npz' }))).toBe(
      'Training failed (the reason is below)',
    )
    expect(statusLine(run({ state: 'failed', backend: 'wasm', message: 'x' }))).toBe(
      'Backend: wasm · training failed (the reason is below)',
    )
  })
})
