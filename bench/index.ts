// `npm run bench`: measures, never fails on a time. Prints one line per measurement.
import { analyze } from '../src/shared/graph/analyze'
import { autoLayout } from '../src/shared/graph/layout'
import type { NetDocument, NetNode } from '../src/shared/graph/schema'
import { toKerasConfig } from '../src/shared/keras/config'
import { shapesDoc } from '../src/shared/testing'
import { loadDataset } from '../src/main/datasets/builtins'
import { readSharedMnist } from '../src/main/datasets/testing'
import { chooseBackend } from '../src/main/trainer/backends'
import { disposeModel, train } from '../src/main/trainer/engine'

function time<T>(label: string, runs: number, f: () => T): T {
  let out!: T
  f() // warm-up
  const t0 = performance.now()
  for (let i = 0; i < runs; i++) out = f()
  const ms = (performance.now() - t0) / runs
  console.log(`${label.padEnd(52)} ${ms.toFixed(3)} ms`)
  return out
}

function longChain(layers: number): NetDocument {
  const nodes: NetNode[] = [
    { id: 'in', className: 'InputLayer', name: 'input', params: { shape: [64] }, position: { x: 0, y: 0 } },
  ]
  for (let i = 0; i < layers - 1; i++)
    nodes.push({
      id: `n${i}`,
      className: i % 2 ? 'Dropout' : 'Dense',
      name: `l${i}`,
      params: i % 2 ? { rate: 0.1 } : { units: 64, activation: 'relu' },
      position: { x: 0, y: i * 100 },
    })
  const edges = nodes
    .slice(1)
    .map((n, i) => ({ id: `e${i}`, source: nodes[i]!.id, target: n.id, targetPort: 0 }))
  return { ...shapesDoc(), nodes, edges }
}

const big = longChain(1000)
time('analyze: default project (validation + shapes)', 1000, () => analyze(shapesDoc()))
time('analyze: 1,000-layer chain (validation + shapes)', 20, () => analyze(big))
time('Keras config: 1,000-layer chain', 20, () => toKerasConfig(big))
time('auto-layout (dagre): 1,000-layer chain', 3, () => autoLayout(big))
time('shapes dataset: generate 1,500 images', 3, () => loadDataset('shapes', { count: 1500 }, 42))
{
  // The real MNIST test set, from its gzip IDX files into a tensor.
  const { tf } = await chooseBackend('wasm')
  const t0 = performance.now()
  const d = await readSharedMnist()
  // As a batch is built: uint8 pixels scaled into a float32 tensor (here all 10,000 at once).
  const x = tf.tensor(
    Float32Array.from(d.x, (v) => v * d.xScale!),
    [d.y.length, 28, 28],
  )
  console.log(
    `${'MNIST test set: gzip IDX → float tensor (10,000 images)'.padEnd(52)} ${(performance.now() - t0).toFixed(1)} ms`,
  )
  x.dispose()
}

async function cnnRate(backend: 'wasm' | 'cpu'): Promise<number> {
  const { tf } = await chooseBackend(backend)
  const doc = shapesDoc()
  doc.nodes = [
    {
      id: 'in',
      className: 'InputLayer',
      name: 'input',
      params: { shape: [28, 28, 1] },
      position: { x: 0, y: 0 },
    },
    {
      id: 'c',
      className: 'Conv2D',
      name: 'conv',
      params: { filters: 8, activation: 'relu' },
      position: { x: 0, y: 0 },
    },
    { id: 'p', className: 'MaxPooling2D', name: 'pool', params: {}, position: { x: 0, y: 0 } },
    { id: 'f', className: 'Flatten', name: 'flatten', params: {}, position: { x: 0, y: 0 } },
    {
      id: 'd',
      className: 'Dense',
      name: 'out',
      params: { units: 3, activation: 'softmax' },
      position: { x: 0, y: 0 },
    },
  ]
  doc.edges = ['in>c', 'c>p', 'p>f', 'f>d'].map((e, i) => {
    const [source, target] = e.split('>') as [string, string]
    return { id: `e${i}`, source, target, targetPort: 0 }
  })
  let rate = 0
  const r = await train(
    tf,
    { modelConfig: toKerasConfig(doc), compile: doc.compile, training: { ...doc.training, epochs: 1 } },
    loadDataset('shapes', { count: backend === 'cpu' ? 100 : 600 }, 1),
    {
      onEpoch: (p) => (rate = p.samplesPerSec),
    },
  )
  disposeModel(r.model)
  return rate
}
const wasmCnn = await cnnRate('wasm')
const cpuCnn = await cnnRate('cpu')
console.log(
  `${'train: small CNN (Conv2D 8, pool, dense) on wasm'.padEnd(52)} ${wasmCnn.toFixed(0)} samples/s`,
)
console.log(
  `${'train: the same CNN on cpu'.padEnd(52)} ${cpuCnn.toFixed(0)} samples/s (wasm is ${(wasmCnn / cpuCnn).toFixed(1)}x)`,
)

const { tf, name } = await chooseBackend(process.argv[2] as never)
const doc = shapesDoc()
const data = loadDataset('shapes', { count: 1500 }, 42)
let rate = 0
const r = await train(
  tf,
  { modelConfig: toKerasConfig(doc), compile: doc.compile, training: { ...doc.training, epochs: 2 } },
  data,
  {
    onEpoch: (p) => (rate = p.samplesPerSec),
  },
)
disposeModel(r.model)
console.log(`${`train: shapes MLP, 2 epochs on ${name}`.padEnd(52)} ${rate.toFixed(0)} samples/s`)

// Memory: a CIFAR-10-sized training set (50,000 × 32×32×3, uint8 as the reader keeps it) and a few
// batches of a small model. The trainer should need about the raw size, not a float32 copy (4x).
{
  const n = 50_000
  const before = process.memoryUsage()
  const x = new Uint8Array(n * 3072)
  for (let i = 0; i < x.length; i += 4096) x[i] = i & 255
  const y = Int32Array.from({ length: n }, (_, i) => i % 10)
  const cifarDoc = shapesDoc()
  cifarDoc.nodes[0]!.params.shape = [32, 32, 3]
  cifarDoc.nodes[3]!.params.units = 10
  cifarDoc.nodes[2]!.params.units = 16
  let peak = 0
  let batches = 0
  const sample = () => {
    const m = process.memoryUsage()
    peak = Math.max(peak, m.rss - before.rss)
  }
  const run = await train(
    tf,
    {
      modelConfig: toKerasConfig(cifarDoc),
      compile: cifarDoc.compile,
      training: { ...cifarDoc.training, epochs: 1, batchSize: 128, validationSplit: 0.1 },
    },
    { id: 'cifar-sized', x, xScale: 1 / 255, sampleShape: [32, 32, 3], y, classes: [...'0123456789'] },
    { onBatch: () => (batches++, sample()), batchReportMs: 0, shouldStop: () => batches >= 40 },
  )
  disposeModel(run.model)
  const raw = x.length
  console.log(
    `${'memory: CIFAR-10-sized set, 40 batches (rss growth)'.padEnd(52)} ${(peak / 1e6).toFixed(0)} MB for ${(raw / 1e6).toFixed(0)} MB raw (${(peak / raw).toFixed(2)}x)`,
  )
}

// Click to first metric: what a user waits between pressing Train and the first point on the chart,
// through the service as the browser host runs it (a fresh trainer process, its backend, the data).
{
  const { mkdtempSync } = await import('node:fs')
  const { tmpdir } = await import('node:os')
  const { join } = await import('node:path')
  const { browserService } = await import('../src/main/hosts/browser')
  const service = browserService(mkdtempSync(join(tmpdir(), 'netwright-bench-ws-')))
  for (const attempt of ['first', 'second']) {
    const started = performance.now()
    let runId = ''
    let running = 0
    const first = new Promise<number>((resolve) => {
      const off = service.subscribe((event, payload) => {
        const p = payload as { runId?: string; state?: string }
        if (p.runId !== runId) return
        if (event === 'training.status' && p.state === 'running' && !running)
          running = performance.now() - started
        if (event === 'training.metrics') {
          off()
          resolve(performance.now() - started)
        }
      })
    })
    const doc = shapesDoc()
    doc.training.epochs = 1
    runId = (await service.call('training.start', { document: doc })).runId
    const ms = await first
    await service.call('training.stop', { runId })
    console.log(
      `${`click to first metric (shapes MLP, ${attempt} run)`.padEnd(52)} ${ms.toFixed(0)} ms (trainer ready and data loaded at ${running.toFixed(0)} ms)`,
    )
  }
  service.shutdown()
}

// Training speed against the peers, in one run (bench/speed.ts).
await import('./speed')
