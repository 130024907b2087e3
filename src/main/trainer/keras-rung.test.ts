// The keras rung against the real Keras (3.15 on TensorFlow 2.21), from the environment .ci/run
// makes: through the service as the app and the CLI run it (every template through the driver:
// keras-templates.test.ts).
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { NetDocument } from '../../shared/graph/schema'
import type { TrainingMetrics, TrainingStatus } from '../../shared/ipc/contract'
import { templatesDir } from '../hosts/paths'
import { createService, type Service } from '../service'
import { workspaceFiles } from '../service/files'
import { ended, small } from '../service/testing'
import { pythonWith, skipReason } from '../testing/python'
import { kerasLauncher, withKerasRung } from './keras-launcher'
import { forkLauncher } from './launch'

const python = pythonWith('keras', 'tensorflow')
if (!python) console.warn(`The keras rung's tests skipped: ${skipReason(['keras', 'tensorflow'])}`)

function serviceWith(launcher = withKerasRung(forkLauncher(), kerasLauncher({ python: python! }))) {
  const workspace = mkdtempSync(join(tmpdir(), 'netwright-keras-rung-'))
  const files = workspaceFiles(workspace)
  return createService({
    host: 'cli',
    launcher,
    files,
    templatesDir: templatesDir(),
    workspace: files.root,
    runsDir: join(workspace, '.runs'),
  })
}

/** Starts a run and collects what the UI would see of it: statuses, and the metrics of each batch and epoch. */
async function train(
  service: Service,
  document: NetDocument,
  opts: { backend?: 'keras' | 'wasm'; fromRun?: string } = {},
) {
  const metrics: TrainingMetrics[] = []
  const statuses: TrainingStatus[] = []
  let id = ''
  const off = service.subscribe((event, payload) => {
    const p = payload as TrainingMetrics & TrainingStatus
    if (p.runId !== id) return
    if (event === 'training.metrics') metrics.push(p)
    else if (event === 'training.status') statuses.push(p)
  })
  const end = ended(service, () => id)
  id = (await service.call('training.start', { document, ...opts })).runId
  const status = await end
  off()
  return { status, metrics, statuses, runId: id }
}

describe.skipIf(!python)('the keras rung, through the service', () => {
  const service = serviceWith()
  afterAll(() => service.shutdown())

  it('is in the ladder with its Keras, backend and devices, and is not taken by itself on a CPU', async () => {
    const info = await service.call('system.info', {})
    const keras = info.backends.find((b) => b.name === 'keras')!
    expect(keras).toMatchObject({ available: true, gpus: [] })
    expect(keras.detail).toMatch(/^Keras 3\.\d+\.\d+ on tensorflow 2\.\d+.*on the CPU/)
    expect(info.chosenBackend).toBe('wasm')
  })

  it('trains with live batch and epoch metrics, keeps the weights, and wasm trains on from them', async () => {
    const doc = small()
    doc.training.epochs = 3
    const k = await train(service, doc, { backend: 'keras' })
    expect(k.status).toMatchObject({ state: 'done', backend: 'keras' })
    expect(k.metrics.filter((m) => m.kind === 'epoch').map((m) => m.epoch)).toEqual([1, 2, 3])
    expect(k.metrics.some((m) => m.kind === 'batch')).toBe(true)
    // The live confusion matrix of the validation rows, as the in-app trainer sends it.
    const epochs = k.metrics.filter((m) => m.kind === 'epoch')
    for (const m of epochs) {
      expect(m.confusion).toHaveLength(3)
      expect(m.confusion!.flat().reduce((a, b) => a + b, 0)).toBe(
        150 - Math.floor(150 * (1 - doc.training.validationSplit)),
      )
    }
    const last = k.status.final!
    expect(Object.keys(last).sort()).toEqual([
      'accuracy',
      'loss',
      'test_accuracy',
      'test_loss',
      'val_accuracy',
      'val_loss',
    ])
    expect(k.status.run?.modelJson).toBeTruthy()
    // Keras's evaluation of its run on the test split, and the in-app trainer's of the same weights.
    const e = k.status.evaluation!
    expect(e).toMatchObject({ split: 'test', task: 'classification' })
    expect(e.confusion!.flat().reduce((a, b) => a + b, 0)).toBe(e.count)
    expect(e.metrics.accuracy).toBe(last.test_accuracy)
    const inApp = await service.call('model.evaluate', { document: doc, runId: k.runId })
    expect(inApp.confusion).toEqual(e.confusion)
    expect(inApp.metrics.loss).toBeCloseTo(e.metrics.loss!, 4)
    // Fresh weights start near ln 3 ≈ 1.1; weights Keras trained start where Keras left them.
    doc.training.epochs = 1
    const w = await train(service, doc, { backend: 'wasm', fromRun: k.runId })
    expect(w.status).toMatchObject({ state: 'done', backend: 'wasm' })
    expect(w.status.final!.loss).toBeLessThan(last.loss! + 0.1)
    // And the reverse: Keras trains on from weights wasm trained.
    const back = await train(service, doc, { backend: 'keras', fromRun: w.runId })
    expect(back.status).toMatchObject({ state: 'done', backend: 'keras' })
    expect(back.status.final!.loss).toBeLessThan(w.status.final!.loss! + 0.1)
  })

  it('sends the decision boundary of a two-feature model live, as the in-app trainer does', async () => {
    const doc = JSON.parse(
      readFileSync(join(templatesDir(), 'keras-first-example.netwright.json'), 'utf8'),
    ) as NetDocument
    doc.training.epochs = 2
    const k = await train(service, doc, { backend: 'keras' })
    expect(k.status).toMatchObject({ state: 'done', backend: 'keras' })
    const epochs = k.metrics.filter((m) => m.kind === 'epoch')
    expect(epochs).toHaveLength(2)
    for (const m of epochs) {
      const b = m.boundary!
      expect(b.size).toBe(48)
      expect(b.classes).toHaveLength(48 * 48)
      expect(b.confidence.every((c) => c >= 0 && c <= 1)).toBe(true)
      expect(b.x[0]).toBeLessThan(b.x[1])
    }
  })

  it('stops within a batch, keeping the weights trained so far', async () => {
    const doc = small()
    doc.dataset.options = { count: 2000 }
    doc.training.epochs = 200
    doc.training.batchSize = 8
    let id = ''
    const end = ended(service, () => id)
    let stopAt = 0
    const off = service.subscribe((event, payload) => {
      const p = payload as TrainingMetrics
      if (event === 'training.metrics' && p.runId === id && !stopAt) {
        stopAt = Date.now()
        void service.call('training.stop', { runId: id })
      }
    })
    id = (await service.call('training.start', { document: doc, backend: 'keras' })).runId
    const status = await end
    off()
    expect(status.state).toBe('stopped')
    expect(status.run?.modelJson).toBeTruthy() // the driver answered: not the service's kill after its grace time
    expect(Date.now() - stopAt).toBeLessThan(3000)
  })

  it('says so when its Python is killed mid-run, and the app trains again', async () => {
    const doc = small()
    doc.dataset.options = { count: 2000 }
    doc.training.epochs = 200
    let id = ''
    const end = ended(service, () => id)
    let killed = false
    const off = service.subscribe((event, payload) => {
      const p = payload as TrainingMetrics
      if (event === 'training.metrics' && p.runId === id && !killed) {
        killed = true
        process.kill(service.runs.get(id)!.proc.pid!, 'SIGKILL')
      }
    })
    id = (await service.call('training.start', { document: doc, backend: 'keras' })).runId
    const status = await end
    off()
    expect(status.state).toBe('failed')
    expect(status.message).toMatch(/ended unexpectedly \(signal SIGKILL\)\. Netwright is still running/)
    expect((await train(service, small())).status.state).toBe('done')
  })

  it('refuses data that does not fit the model with the in-app sentence, before Python starts', async () => {
    const doc = small()
    const out = doc.nodes.find((n) => n.className === 'Dense' && n.params.activation === 'softmax')!
    out.params.units = 5
    const r = await train(service, doc, { backend: 'keras' })
    expect(r.status.state).toBe('failed')
    expect(r.status.message).toMatch(/the dataset has 3 classes\. Set .* units to 3/)
  })
})

describe('the keras rung without a usable Keras', () => {
  it('names a Python that is not there, and how to set one', async () => {
    const service = serviceWith(
      withKerasRung(forkLauncher(), kerasLauncher({ python: '/nonexistent/python3' })),
    )
    const info = await service.call('system.info', {})
    expect(info.backends.find((b) => b.name === 'keras')).toMatchObject({
      available: false,
      detail: expect.stringMatching(
        /^\/nonexistent\/python3 was not found \(set NETWRIGHT_PYTHON to a Python with Keras 3\)/,
      ),
    })
    const r = await train(service, small(), { backend: 'keras' })
    expect(r.status.state).toBe('failed')
    expect(r.status.message).toMatch(/nonexistent\/python3 was not found|ended unexpectedly/)
    service.shutdown()
  })

  // This machine's own python3 has no Keras (the tests' Keras is in a virtual environment).
  const bare = 'python3'
  const bareHasKeras = spawnSync(bare, ['-c', 'import keras']).status === 0
  if (bareHasKeras) console.warn('The test of a Python without Keras skipped: python3 here has Keras.')
  it.skipIf(bareHasKeras)('names a Python without Keras, and what to install', async () => {
    const service = serviceWith(withKerasRung(forkLauncher(), kerasLauncher({ python: bare })))
    const info = await service.call('system.info', {})
    expect(info.backends.find((b) => b.name === 'keras')).toMatchObject({
      available: false,
      detail: expect.stringMatching(/this Python cannot import keras .*pip install keras tensorflow/),
    })
    const r = await train(service, small(), { backend: 'keras' })
    expect(r.status).toMatchObject({ state: 'failed' })
    expect(r.status.message).toMatch(
      /^The keras backend is not available here: this Python cannot import keras/,
    )
    service.shutdown()
  })
})
