// Where the ladder sends a run, with stand-in places that answer as a trainer process would (the
// real ones are tried in keras-rung.test.ts and window-launcher.test.ts; no GPU is here to see
// the keras rung taken by itself).
import { describe, expect, it } from 'vitest'
import type { BackendName } from '../../shared/graph/schema'
import type { BackendReport } from '../../shared/ipc/contract'
import { toKerasConfig } from '../../shared/keras/config'
import { small } from '../service/testing'
import { withKerasRung } from './keras-launcher'
import type { TrainerLauncher } from './launch'
import type { FromTrainer } from './protocol'

/** A place that reports `reports`, takes `chosen` by itself, and says where a run went. */
function place(chosen: BackendName, reports: BackendReport[], ran: string[], name: string): TrainerLauncher {
  return () => {
    const listeners: ((m: FromTrainer) => void)[] = []
    const emit = (m: FromTrainer) => setTimeout(() => listeners.forEach((l) => l(m)), 0)
    return {
      pid: undefined,
      send: (msg) => {
        if (msg.type === 'probe') emit({ type: 'backend', backend: chosen, reports })
        if (msg.type === 'start') {
          ran.push(name)
          emit({ type: 'backend', backend: msg.backend ?? chosen, reports })
        }
      },
      onMessage: (l) => listeners.push(l),
      onExit: () => {},
      kill: () => {},
    }
  }
}

const tfjsRungs = (top: BackendName): BackendReport[] => [
  {
    name: 'tfjs-node-gpu',
    available: top === 'tfjs-node-gpu',
    detail: top === 'tfjs-node-gpu' ? 'CUDA' : 'not installed',
  },
  { name: 'wasm', available: true, detail: 'WebAssembly' },
]
const keras = (gpus: string[]): BackendReport[] => [
  {
    name: 'keras',
    available: true,
    detail: `Keras 3.15.1 on tensorflow 2.21.0, ${gpus.join(', ') || 'on the CPU'}`,
    gpus,
  },
]

async function where(top: BackendName, gpus: string[]) {
  const ran: string[] = []
  const launcher = withKerasRung(
    place(top, tfjsRungs(top), ran, 'tfjs'),
    place('keras', keras(gpus), ran, 'keras'),
  )
  const probe = await new Promise<Extract<FromTrainer, { type: 'backend' }>>((resolve) => {
    const p = launcher()
    p.onMessage((m) => m.type === 'backend' && resolve(m))
    p.send({ type: 'probe' })
  })
  const run = launcher()
  const started = new Promise<Extract<FromTrainer, { type: 'backend' }>>((resolve) =>
    run.onMessage((m) => m.type === 'backend' && resolve(m)),
  )
  const doc = small()
  run.send({
    type: 'start',
    modelConfig: toKerasConfig(doc),
    compile: doc.compile,
    training: doc.training,
    dataset: doc.dataset,
    kerasDir: '',
  })
  return { probe, run: await started, ran }
}

describe('the keras rung in the ladder', () => {
  it('is taken by itself when its Keras sees a GPU and there is no CUDA tfjs', async () => {
    const r = await where('wasm', ['NVIDIA H200'])
    expect(r.probe.backend).toBe('keras')
    expect(r.ran).toEqual(['keras'])
    expect(r.run.reports.map((b) => [b.name, b.detail])).toEqual([
      ['tfjs-node-gpu', 'not installed'],
      ['keras', 'Keras 3.15.1 on tensorflow 2.21.0, NVIDIA H200'],
      ['wasm', 'not needed: a faster backend was found'],
    ])
  })

  it('comes after tfjs-node-gpu', async () => {
    const r = await where('tfjs-node-gpu', ['NVIDIA H200'])
    expect(r.probe.backend).toBe('tfjs-node-gpu')
    expect(r.ran).toEqual(['tfjs'])
  })

  it('is offered on a CPU but not taken by itself', async () => {
    const r = await where('wasm', [])
    expect(r.probe.backend).toBe('wasm')
    expect(r.ran).toEqual(['tfjs'])
    expect(r.probe.reports.find((b) => b.name === 'keras')).toMatchObject({ available: true })
  })
})
