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

// Training speed against the peers, in one run: the same two models (an MLP 784-512-3 and a CNN
// Conv2D 32 3×3 → MaxPool 2×2 → Dense 3), the same 28×28 shapes, batch 128, Adam, on this CPU, in
// Netwright's trainer (its own in-process backend), in raw tfjs `fit` on that backend, and in PyTorch
// and Keras 3 / TensorFlow when a Python with them is found (NETWRIGHT_PYTHON, else the virtual
// environment at ~/.cache/netwright-venv, else python3). Samples per second of the second epoch.
{
  const { spawnSync } = await import('node:child_process')
  const { existsSync, mkdtempSync, writeFileSync } = await import('node:fs')
  const { homedir, tmpdir } = await import('node:os')
  const { join } = await import('node:path')
  const { zipSync } = await import('fflate')
  const { writeNpy } = await import('../src/main/datasets/npy')
  const { tf, name: backend } = await chooseBackend(process.argv[2] as never)
  const n = Number(process.env.NETWRIGHT_BENCH_SAMPLES ?? 3072)
  const shapes = loadDataset('shapes', { count: n }, 7)
  const x = Float32Array.from(shapes.x, (v) => v * (shapes.xScale ?? 1))
  const y = Int32Array.from(shapes.y)
  const npz = join(mkdtempSync(join(tmpdir(), 'netwright-bench-')), 'shapes.npz')
  writeFileSync(npz, zipSync({ 'x.npy': writeNpy([n, 28, 28], x, '<f4'), 'y.npy': writeNpy([n], y, '<i4') }))
  const python = [
    process.env.NETWRIGHT_PYTHON,
    join(homedir(), '.cache', 'netwright-venv', 'bin', 'python'),
    'python3',
  ].find((p) => p && (p === 'python3' || existsSync(p)))!

  const layer = (id: string, className: string, params: Record<string, unknown>) => ({
    id,
    className,
    name: id,
    params,
    position: { x: 0, y: 0 },
  })
  const chainOf = (nodes: NetNode[]): NetDocument => ({
    ...shapesDoc(),
    nodes,
    edges: nodes.slice(1).map((m, i) => ({ id: `e${i}`, source: nodes[i]!.id, target: m.id, targetPort: 0 })),
  })
  const models: Record<'mlp' | 'cnn', NetDocument> = {
    mlp: chainOf([
      layer('input', 'InputLayer', { shape: [28, 28] }),
      layer('flatten', 'Flatten', {}),
      layer('dense', 'Dense', { units: 512, activation: 'relu' }),
      layer('out', 'Dense', { units: 3, activation: 'softmax' }),
    ]),
    cnn: chainOf([
      layer('input', 'InputLayer', { shape: [28, 28, 1] }),
      layer('conv', 'Conv2D', { filters: 32, kernel_size: [3, 3], activation: 'relu' }),
      layer('pool', 'MaxPooling2D', {}),
      layer('flatten', 'Flatten', {}),
      layer('out', 'Dense', { units: 3, activation: 'softmax' }),
    ]),
  }
  console.log(`\ntraining speed, batch 128, Adam, ${n} samples of 28×28 shapes (samples/s of the 2nd epoch):`)
  for (const [kind, doc] of Object.entries(models) as ['mlp' | 'cnn', NetDocument][]) {
    const training = { ...doc.training, epochs: 2, batchSize: 128, validationSplit: 0, shuffle: true }
    const compile = { ...doc.compile, metrics: [] as string[] }
    let app = 0
    const sampleShape = kind === 'cnn' ? [28, 28, 1] : [28, 28]
    const r = await train(
      tf,
      { modelConfig: toKerasConfig(doc), compile, training },
      { ...shapes, sampleShape },
      {
        onEpoch: (p) => (app = p.samplesPerSec),
      },
    )
    disposeModel(r.model)
    // Raw tfjs on the same backend: the same model, fit on tensors held in memory.
    const model = (await tf.models.modelFromJSON({
      modelTopology: toKerasConfig(doc) as never,
    })) as import('@tensorflow/tfjs').LayersModel
    model.compile({ optimizer: tf.train.adam(0.001), loss: 'sparseCategoricalCrossentropy' })
    const xs = tf.tensor(x, [n, ...sampleShape])
    const ys = tf.tensor(Float32Array.from(y), [n])
    let started = 0
    let raw = 0
    await model.fit(xs, ys, {
      epochs: 2,
      batchSize: 128,
      shuffle: true,
      verbose: 0,
      callbacks: {
        onEpochBegin: async () => void (started = performance.now()),
        onEpochEnd: async () => void (raw = n / ((performance.now() - started) / 1000)),
      },
    })
    tf.dispose([xs, ys])
    model.dispose()
    const peers = spawnSync(python, [join(import.meta.dirname, 'peers.py'), npz, kind, '128'], {
      encoding: 'utf8',
      timeout: 600_000,
    })
    const found = (peers.stdout ?? '')
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map(
        (l) =>
          JSON.parse(l) as {
            framework: string
            version?: string
            samples_per_sec?: number
            skipped?: string
          },
      )
    const best = Math.max(0, ...found.map((p) => p.samples_per_sec ?? 0))
    const label = kind === 'mlp' ? 'MLP 784-512-3' : 'CNN conv32 3×3 → pool → dense 3'
    console.log(`  ${label}`)
    console.log(
      `    ${`Netwright (${backend}, the app's loop)`.padEnd(44)} ${app.toFixed(0).padStart(7)} samples/s${best ? `   ${(app / best).toFixed(2)}× the faster peer` : ''}`,
    )
    console.log(
      `    ${`raw tfjs fit (${backend})`.padEnd(44)} ${raw.toFixed(0).padStart(7)} samples/s   the app's loop is ${(app / raw).toFixed(2)}× raw tfjs`,
    )
    for (const p of found)
      console.log(
        p.samples_per_sec
          ? `    ${`${p.framework} ${p.version}`.padEnd(44)} ${p.samples_per_sec.toFixed(0).padStart(7)} samples/s`
          : `    ${p.framework.padEnd(44)} skipped: ${p.skipped}`,
      )
    if (!found.length)
      console.log(
        `    peers skipped: ${python} could not run bench/peers.py (${(peers.stderr ?? peers.error?.message ?? '').trim().split('\n').at(-1)}). Set one up: python3 -m venv ~/.cache/netwright-venv && ~/.cache/netwright-venv/bin/pip install torch keras tensorflow-cpu`,
      )
  }
}
