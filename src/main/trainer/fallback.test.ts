import * as tf from '@tensorflow/tfjs'
import { afterAll, describe, expect, it } from 'vitest'
import type { BackendReport } from '../../shared/ipc/contract'
import { chooseBackend } from './backends'
import { withWasmFallback } from './fallback'
import { registerWasmHeapKernels } from './wasm-heap-kernels'

/** A step that needs UnsortedSegmentSum (Embedding's gradient goes through it). */
const step = async (t: typeof tf) => {
  const table = t.variable(t.randomNormal([10, 3]))
  try {
    const ids = t.tensor1d([1, 4, 4, 9], 'int32')
    const g = t.grad((w: import('@tensorflow/tfjs').Tensor) => t.gather(w, ids).sum())(table)
    const total = (await g.sum().data())[0]!
    t.dispose([ids, g])
    return { backend: t.getBackend(), total }
  } finally {
    table.dispose()
  }
}

describe('wasm fallback', async () => {
  const chosen = await chooseBackend('wasm')
  afterAll(async () => {
    registerWasmHeapKernels(tf)
    await tf.setBackend('cpu')
  })

  it('moves a run to cpu when wasm lacks a kernel it needs, and says which', async () => {
    tf.unregisterKernel('UnsortedSegmentSum', 'wasm')
    let reports: BackendReport[] = []
    const r = await withWasmFallback({ ...chosen, tf }, false, step, (rs) => (reports = rs))
    expect(r).toEqual({ backend: 'cpu', total: 12 })
    expect(reports.find((b) => b.name === 'wasm')).toEqual({
      name: 'wasm',
      available: false,
      detail: 'lacks the UnsortedSegmentSum kernel this model needs to train',
    })
  })

  it('does not move a run the user forced onto wasm', async () => {
    await tf.setBackend('wasm')
    await expect(withWasmFallback({ ...chosen, tf }, true, step, () => {})).rejects.toThrow(
      "Kernel 'UnsortedSegmentSum' not registered for backend 'wasm'",
    )
  })

  it('stays on wasm once the kernel is there', async () => {
    registerWasmHeapKernels(tf)
    await tf.setBackend('wasm')
    let switched = false
    expect(await withWasmFallback({ ...chosen, tf }, false, step, () => (switched = true))).toEqual({
      backend: 'wasm',
      total: 12,
    })
    expect(switched).toBe(false)
  })
})
