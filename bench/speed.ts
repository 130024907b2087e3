// `npm run bench`'s training speed against the peers, run by bench/index.ts after its other figures.
import type { NetDocument, NetNode } from '../src/shared/graph/schema'
import { toKerasConfig } from '../src/shared/keras/config'
import { shapesDoc } from '../src/shared/testing'
import { loadDataset } from '../src/main/datasets/builtins'
import { readSharedMnist } from '../src/main/datasets/testing'
import { chooseBackend } from '../src/main/trainer/backends'
import { adam } from '../src/main/trainer/adam'
import { disposeModel, train } from '../src/main/trainer/engine'

// Training speed against the peers, in one run. Each model is trained in Netwright's trainer (the
// app's loop, on its own in-process backend, and on webgpu where an adapter is found), in raw tfjs
// `fit` on the same backend, and in PyTorch and Keras 3 / TensorFlow when a Python with them is found
// (NETWRIGHT_PYTHON, else the virtual environment at ~/.cache/netwright-venv, else python3), on the
// same data. Samples per second of the second epoch (the first warms up).
{
  const { spawnSync } = await import('node:child_process')
  const { existsSync, mkdtempSync, readFileSync, writeFileSync } = await import('node:fs')
  const { homedir, tmpdir } = await import('node:os')
  const { join } = await import('node:path')
  const { zipSync } = await import('fflate')
  const { writeNpy } = await import('../src/main/datasets/npy')
  const { parseDocument } = await import('../src/shared/graph/load')
  const { templatesDir } = await import('../src/main/hosts/paths')
  const { mulberry32 } = await import('../src/main/datasets/random')
  const { tf, name: backend } = await chooseBackend(process.argv[2] as never)
  const folder = mkdtempSync(join(tmpdir(), 'netwright-bench-'))
  const python = [
    process.env.NETWRIGHT_PYTHON,
    join(homedir(), '.cache', 'netwright-venv', 'bin', 'python'),
    'python3',
  ].find((p) => p && (p === 'python3' || existsSync(p)))!
  const template = (name: string) =>
    parseDocument(readFileSync(join(templatesDir(), `${name}.netwright.json`), 'utf8'))

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
  const n = Number(process.env.NETWRIGHT_BENCH_SAMPLES ?? 3072)
  const shapes = loadDataset('shapes', { count: n }, 7)
  const shapesX = Float32Array.from(shapes.x, (v) => v * (shapes.xScale ?? 1))
  const mnist = await readSharedMnist()
  const mnistX = Float32Array.from(mnist.x, (v) => v * (mnist.xScale ?? 1))
  const random = mulberry32(3)
  const vggN = Number(process.env.NETWRIGHT_BENCH_VGG_SAMPLES ?? 640)
  const lstmN = Number(process.env.NETWRIGHT_BENCH_LSTM_SAMPLES ?? 640)
  interface Case {
    kind: string
    label: string
    doc: NetDocument
    batch: number
    x: Float32Array | Int32Array
    y: Int32Array
    sampleShape: number[]
    classes: number
    /** Trained on a software webgpu adapter too (the big ones take minutes there). */
    small: boolean
  }
  const cases: Case[] = [
    {
      kind: 'mlp',
      label: 'MLP 784-512-3, batch 128 (28×28 shapes)',
      doc: chainOf([
        layer('input', 'InputLayer', { shape: [28, 28] }),
        layer('flatten', 'Flatten', {}),
        layer('dense', 'Dense', { units: 512, activation: 'relu' }),
        layer('out', 'Dense', { units: 3, activation: 'softmax' }),
      ]),
      batch: 128,
      x: shapesX,
      y: Int32Array.from(shapes.y),
      sampleShape: [28, 28],
      classes: 3,
      small: true,
    },
    {
      kind: 'cnn',
      label: 'CNN conv32 3×3 → pool → dense 3, batch 128',
      doc: chainOf([
        layer('input', 'InputLayer', { shape: [28, 28, 1] }),
        layer('conv', 'Conv2D', { filters: 32, kernel_size: [3, 3], activation: 'relu' }),
        layer('pool', 'MaxPooling2D', {}),
        layer('flatten', 'Flatten', {}),
        layer('out', 'Dense', { units: 3, activation: 'softmax' }),
      ]),
      batch: 128,
      x: shapesX,
      y: Int32Array.from(shapes.y),
      sampleShape: [28, 28, 1],
      classes: 3,
      small: true,
    },
    {
      kind: 'mnist-mlp',
      label: "the decks' MNIST MLP 784-512-10, batch 32 (real MNIST digits)",
      doc: template('mnist-mlp'),
      batch: 32,
      x: mnistX,
      y: Int32Array.from(mnist.y),
      sampleShape: [784],
      classes: 10,
      small: true,
    },
    {
      kind: 'vgg',
      label: 'ShallowVGGNet on 32×32×3, batch 64 (made-up images)',
      doc: template('shallow-vggnet'),
      batch: 64,
      x: Float32Array.from({ length: vggN * 3072 }, () => random()),
      y: Int32Array.from({ length: vggN }, () => Math.floor(random() * 10)),
      sampleShape: [32, 32, 3],
      classes: 10,
      small: false,
    },
    {
      kind: 'lstm',
      label: 'IMDB LSTM (Embedding 10k×32 → LSTM 32 → 1), 200 words, batch 64 (made-up reviews)',
      doc: template('imdb-lstm'),
      batch: 64,
      x: Int32Array.from({ length: lstmN * 200 }, () => 1 + Math.floor(random() * 9999)),
      y: Int32Array.from({ length: lstmN }, () => (random() < 0.5 ? 0 : 1)),
      sampleShape: [200],
      classes: 2,
      small: false,
    },
  ]
  const only = process.env.NETWRIGHT_BENCH_MODELS?.split(',')
  // The app's own rung and, where Dawn finds an adapter, webgpu (by name, so forced on a software one).
  const webgpu = await chooseBackend('webgpu').catch(() => null)
  const webgpuAdapter = webgpu?.reports.find((r) => r.name === 'webgpu')?.adapter
  await chooseBackend(backend)

  /**
   * The app's loop: the engine the trainer process runs, on `x` as a loaded dataset. The rate of the
   * 2nd epoch from its first batch's end to its last's, as raw `fit`'s is that epoch's alone: the
   * teaching views the app computes between epochs (each layer's gradient size on 64 rows, the
   * confusion matrix, the decision boundary) are in neither. (Before, this was the average since
   * the run's first batch, which held the 1st epoch's views: a batch's worth, ~5 %, where an epoch is
   * ten batches.)
   */
  async function appRate(c: Case, on: string): Promise<number> {
    await tf.setBackend(on)
    let rate = 0
    let from: { ms: number; step: number } | undefined
    const r = await train(
      tf,
      {
        modelConfig: toKerasConfig(c.doc),
        compile: { ...c.doc.compile, metrics: [] },
        training: { ...c.doc.training, epochs: 2, batchSize: c.batch, validationSplit: 0, shuffle: true },
      },
      {
        id: c.kind,
        x: c.x,
        sampleShape: c.sampleShape,
        y: c.y,
        classes: Array.from({ length: c.classes }, (_, i) => String(i)),
      },
      {
        onBatch: (p) => {
          if (p.epoch === 2 && !from) from = { ms: p.elapsedMs, step: p.step }
        },
        // Only each epoch's first batch reports.
        batchReportMs: Infinity,
        onEpoch: (p) => {
          if (p.epoch !== 2) return
          // Every sample of the epoch after its first batch (no validation split here).
          const samples = from && p.step > from.step ? c.y.length - c.batch : 0
          const ms = from ? p.elapsedMs - from.ms : 0
          rate = samples > 0 && ms > 0 ? samples / (ms / 1000) : p.samplesPerSec
        },
      },
    )
    disposeModel(r.model)
    return rate
  }

  /**
   * Raw tfjs: the same model, compiled and fit on tensors held in memory, on the same backend, with
   * the app's optimizer (tfjs's Adam, stepped by one kernel on wasm), so the two differ by the loop.
   */
  async function rawRate(c: Case): Promise<number> {
    await tf.setBackend(backend)
    const count = c.y.length
    const model = (await tf.models.modelFromJSON({
      modelTopology: toKerasConfig(c.doc) as never,
    })) as import('@tensorflow/tfjs').LayersModel
    const binary = c.doc.compile.loss === 'binary_crossentropy'
    model.compile({
      optimizer: adam(tf, 0.001),
      loss: binary ? 'binaryCrossentropy' : 'sparseCategoricalCrossentropy',
    })
    const xs = tf.tensor(c.x, [count, ...c.sampleShape], c.x instanceof Int32Array ? 'int32' : 'float32')
    const ys = binary
      ? tf.tensor2d(Float32Array.from(c.y), [count, 1])
      : tf.tensor(Float32Array.from(c.y), [count])
    let started = 0
    let raw = 0
    await model.fit(xs, ys, {
      epochs: 2,
      batchSize: c.batch,
      shuffle: true,
      verbose: 0,
      callbacks: {
        onEpochBegin: async () => void (started = performance.now()),
        onEpochEnd: async () => void (raw = count / ((performance.now() - started) / 1000)),
      },
    })
    tf.dispose([xs, ys])
    model.dispose()
    return raw
  }

  /**
   * The keras rung: the same model trained by the app's Keras driver in the peers' Python (its
   * config, its data as the app hands it over, the streaming callback), the best rate of epochs 2-4
   * from its epoch reports. Null when that Python has no Keras.
   */
  async function kerasRungRate(c: Case): Promise<number | null> {
    const { kerasLauncher } = await import('../src/main/trainer/keras-launcher')
    const data = {
      id: c.kind,
      x: c.x,
      sampleShape: c.sampleShape,
      y: c.y,
      classes: Array.from({ length: c.classes }, (_, i) => String(i)),
    }
    const p = kerasLauncher({ python, load: async () => data })()
    return new Promise((resolve) => {
      const epochs: { at: number; samples: number }[] = []
      p.onMessage((m) => {
        if (m.type === 'epoch')
          epochs.push({ at: m.progress.elapsedMs, samples: m.progress.epoch * c.y.length })
        if (m.type === 'error') console.log(`    keras rung: ${m.message}`)
        if (m.type === 'done' || m.type === 'error') {
          // The best of epochs 2-4, as bench/peers.py times the plain fit.
          const rates = epochs
            .slice(1)
            .map((e, i) => (e.samples - epochs[i]!.samples) / ((e.at - epochs[i]!.at) / 1000))
          resolve(rates.length ? Math.max(...rates) : null)
          p.kill()
        }
      })
      p.onExit(() => resolve(null))
      p.send({
        type: 'start',
        modelConfig: toKerasConfig(c.doc),
        compile: { ...c.doc.compile, metrics: [] },
        training: { ...c.doc.training, epochs: 4, batchSize: c.batch, validationSplit: 0, shuffle: true },
        dataset: { id: c.kind, options: {} },
        kerasDir: folder,
        backend: 'keras',
      })
    })
  }

  const line = (label: string, rate: number, rest = '') =>
    console.log(`    ${label.padEnd(50)} ${rate.toFixed(0).padStart(7)} samples/s${rest}`)
  console.log(
    `\ntraining speed, Adam, on this machine (samples/s of the 2nd epoch, Netwright's and raw tfjs's the best of 3 for the first three models; PyTorch once; Keras and the keras rung the best of epochs 2-4 of one fit; each peer in its own process on the CPU):`,
  )
  for (const c of cases) {
    if (only && !only.includes(c.kind)) continue
    const count = c.y.length
    const npz = join(folder, `${c.kind}.npz`)
    const xNpy =
      c.x instanceof Int32Array
        ? writeNpy([count, ...c.sampleShape], c.x, '<i4')
        : writeNpy([count, ...c.sampleShape], c.x, '<f4')
    writeFileSync(npz, zipSync({ 'x.npy': xNpy, 'y.npy': writeNpy([count], c.y, '<i4') }))
    // The app's loop and raw fit in turn, three times for the small models, the best of each: the
    // comparison between the two should not hang on one noisy epoch.
    let app = 0
    let raw = 0
    for (let rep = 0; rep < (c.small ? 3 : 1); rep++) {
      app = Math.max(app, await appRate(c, backend))
      raw = Math.max(raw, await rawRate(c))
    }
    // Each peer in its own process (see peers.py).
    const runs = ['PyTorch', 'Keras'].map((framework) =>
      spawnSync(python, [join(import.meta.dirname, 'peers.py'), npz, c.kind, String(c.batch), framework], {
        encoding: 'utf8',
        timeout: 900_000,
      }),
    )
    const peers = runs.find((r) => r.status !== 0) ?? runs[0]!
    const found = runs
      .map((r) => r.stdout ?? '')
      .join('\n')
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
    const versus = (rate: number) => (best ? `   ${(rate / best).toFixed(2)}× the faster peer` : '')
    console.log(`  ${c.label}, ${count} samples`)
    line(`Netwright (${backend}, the app's loop)`, app, versus(app))
    line(`raw tfjs fit (${backend})`, raw, `   the app's loop is ${(app / raw).toFixed(2)}× raw tfjs`)
    if (webgpuAdapter && backend !== 'webgpu' && (c.small || !webgpuAdapter.software)) {
      const gpu = await appRate(c, 'webgpu')
      line(
        `Netwright (webgpu on ${webgpuAdapter.name}${webgpuAdapter.software ? ', software' : ''})`,
        gpu,
        versus(gpu),
      )
    }
    for (const p of found)
      if (p.samples_per_sec) line(`${p.framework} ${p.version}`, p.samples_per_sec)
      else console.log(`    ${p.framework.padEnd(50)} skipped: ${p.skipped}`)
    const plainKeras = found.find((p) => p.framework === 'Keras')?.samples_per_sec
    if (plainKeras) {
      const rung = await kerasRungRate(c)
      if (rung)
        line(
          'Netwright (keras rung, that Keras)',
          rung,
          `   ${(rung / plainKeras).toFixed(2)}× a plain model.fit there`,
        )
    }
    if (!found.length)
      console.log(
        `    peers skipped: ${python} could not run bench/peers.py (${(peers.stderr ?? peers.error?.message ?? '').trim().split('\n').at(-1)}). Set one up: python3 -m venv ~/.cache/netwright-venv && ~/.cache/netwright-venv/bin/pip install torch keras tensorflow-cpu`,
      )
    if (c.kind === 'mnist-mlp')
      console.log(
        `    the decks' exercise (60,000 digits, 5 epochs) at these rates: Netwright ${((5 * 60_000) / app).toFixed(0)} s` +
          found
            .filter((p) => p.samples_per_sec)
            .map((p) => `, ${p.framework} ${((5 * 60_000) / p.samples_per_sec!).toFixed(0)} s`)
            .join(''),
      )
  }
}
