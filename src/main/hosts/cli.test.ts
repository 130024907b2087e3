import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { main } from './cli'
import { stageFashionCache } from '../datasets/testing'
import { pythonWith, skipReason } from '../testing/python'
import { findAdapter } from '../trainer/webgpu'
import { appRoot } from './paths'

const root = appRoot()
const template = join(root, 'resources/templates/shapes-mlp.netwright.json')
const fixtures = join(root, 'e2e/fixtures')
const search = await findAdapter()
const adapterHere = 'reason' in search ? null : search.description
if (!adapterHere) console.warn(`The CLI's webgpu run skipped: ${'reason' in search ? search.reason : ''}.`)

const kerasPython = pythonWith('keras', 'tensorflow')
if (!kerasPython) console.warn(`The CLI's keras run skipped: ${skipReason(['keras', 'tensorflow'])}`)

function netwright(...args: string[]) {
  const r = spawnSync(process.execPath, [join(root, 'bin/netwright.js'), ...args], {
    encoding: 'utf8',
    cwd: root,
    timeout: 120_000,
    env: { ...process.env, ...(kerasPython ? { NETWRIGHT_PYTHON: kerasPython } : {}) },
  })
  return { code: r.status, out: r.stdout, err: r.stderr }
}

/**
 * The CLI in this process (its main, its console captured): what a command prints and returns,
 * without the seconds a new Node process takes to start. Training still forks the trainer process.
 */
async function cli(...args: string[]) {
  const out: string[] = []
  const err: string[] = []
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')))
  const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')))
  try {
    const code = await main(args)
    return { code, out: out.map((l) => `${l}\n`).join(''), err: err.map((l) => `${l}\n`).join('') }
  } finally {
    log.mockRestore()
    error.mockRestore()
  }
}

describe('the netwright CLI', () => {
  it('prints a Keras-style summary', async () => {
    const r = await cli('summary', template)
    expect(r.code).toBe(0)
    expect(r.out).toContain('Model: "Shapes classifier"')
    expect(r.out).toMatch(/dense \(Dense\)\s+\(None, 128\)\s+100480/)
    expect(r.out).toContain('Total params: 100867 (394.01 KB)')
    expect(r.out).toContain('Non-trainable params: 0')
  })

  it('summarizes a Keras model JSON too', async () => {
    const r = await cli('summary', join(fixtures, 'keras-mlp.json'))
    expect(r.code).toBe(0)
    expect(r.out).toContain('Total params: 407050')
    expect(r.out).toMatch(/dropout \(Dropout\)\s+\(None, 512\)/)
  })

  it('prints the summary as JSON for machines', async () => {
    const r = await cli('summary', template, '--json')
    const j = JSON.parse(r.out)
    expect(j.totalParams).toBe(100_867)
    expect(j.layers.map((l: { name: string }) => l.name)).toEqual(['flatten', 'dense', 'dense_1'])
  })

  it('never prints a name’s terminal escape sequences; its JSON keeps the name exactly', async () => {
    const name = 'd\u001b]0;owned\u0007\u001b[2J\u009b31m\u202eevil'
    const file = join(mkdtempSync(join(tmpdir(), 'netwright-esc-')), 'model.json')
    writeFileSync(
      file,
      JSON.stringify({
        class_name: 'Sequential',
        config: {
          name: 'm',
          layers: [
            { class_name: 'InputLayer', config: { name: 'in', batch_input_shape: [null, 4] } },
            { class_name: 'Dense', config: { name, units: 2 } },
          ],
        },
      }),
    )
    const text = await cli('summary', file)
    expect(text.code).toBe(0)
    // eslint-disable-next-line no-control-regex -- escape sequences are what must not get through
    expect(text.out).not.toMatch(/[\u001b\u0007\u009b\u202e]/)
    expect(text.out).toMatch(/d\ufffd]0;owned.*evil \(Dense\)/)
    const json = await cli('summary', file, '--json')
    expect(json.out).not.toMatch(/[\u009b\u202e]/)
    expect(JSON.parse(json.out).layers[0].name).toBe(name)
  })

  it('trains the default project to at least 95% in 5 epochs, ends with its test evaluation, and evaluate gives the same', async () => {
    const saved = join(mkdtempSync(join(tmpdir(), 'netwright-cli-eval-')), 'saved')
    const r = await cli('train', template, '--epochs', '5', '--json', '--save', saved)
    expect(r.code, r.err).toBe(0)
    const lines = r.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(lines[0].event).toBe('backend')
    expect(lines.filter((l) => l.event === 'epoch')).toHaveLength(5)
    const done = lines.find((l) => l.event === 'done')
    expect(done.val_accuracy).toBeGreaterThanOrEqual(0.95)
    // The last line: the model on the built-in's test split (generated apart from the training samples).
    const evaluation = lines.at(-1)
    expect(evaluation).toMatchObject({
      event: 'evaluation',
      split: 'test',
      count: 300,
      task: 'classification',
    })
    expect(evaluation.classes).toEqual(['circle', 'square', 'triangle'])
    const cells: number[][] = evaluation.confusion
    expect(cells.flat().reduce((a, b) => a + b, 0)).toBe(300)
    const diagonal = cells.reduce((a, row, i) => a + row[i]!, 0)
    expect(evaluation.metrics.accuracy).toBeCloseTo(diagonal / 300, 10)
    expect(evaluation.metrics.accuracy).toBeGreaterThanOrEqual(0.9)
    expect(done.test_accuracy).toBe(evaluation.metrics.accuracy)
    expect(evaluation.perClass.map((c: { support: number }) => c.support)).toEqual(
      cells.map((row) => row.reduce((a, b) => a + b, 0)),
    )
    // The saved model evaluated again: the same numbers.
    const again = await cli('evaluate', template, '--run', saved, '--json')
    expect(again.code, again.err).toBe(0)
    const e2 = JSON.parse(again.out.trim().split('\n').at(-1)!)
    expect(e2.confusion).toEqual(cells)
    expect(e2.metrics.accuracy).toBe(evaluation.metrics.accuracy)
    expect(e2.metrics.loss).toBeCloseTo(evaluation.metrics.loss, 5)
    const text = await cli('evaluate', template, '--run', saved)
    expect(text.out).toMatch(/^Evaluated on 300 test samples - loss: \d\.\d{4} - accuracy: \d\.\d{4}/)
    expect(text.out).toMatch(/\s+circle\s+square\s+triangle\n\s+circle\s+\d+/)
    expect(text.out).toContain('precision    recall  f1-score   support')
    // Without weights: a sentence that says how to get some.
    const none = await cli('evaluate', template)
    expect(none.code).toBe(2)
    expect(none.err).toContain('has no trained weights beside it. Train it with --save DIR')
  })

  // The threaded wasm build, as machines with 4 or more cores get it by themselves.
  it('trains on the multi-threaded WebAssembly build when asked for threads, and says how many', async () => {
    const r = spawnSync(
      process.execPath,
      [join(root, 'bin/netwright.js'), 'train', template, '--epochs', '2', '--backend', 'wasm'],
      { encoding: 'utf8', cwd: root, timeout: 120_000, env: { ...process.env, NETWRIGHT_WASM_THREADS: '2' } },
    )
    expect(r.status).toBe(0)
    expect(r.stderr).toMatch(/^Backend: wasm: WebAssembly \(SIMD, 2 threads\) on the CPU/)
    expect(r.stdout).toMatch(/Epoch 2\/2\n.* val_accuracy: 0\.9\d/)
  })

  // The webgpu rung on whatever adapter is here (Mesa's llvmpipe in CI): forced, since the ladder
  // never picks a software adapter itself.
  it.skipIf(!adapterHere)(
    'trains the default project on --backend webgpu, naming the adapter',
    () => {
      const r = netwright('train', template, '--epochs', '1', '--backend', 'webgpu')
      expect(r.code).toBe(0)
      expect(r.err).toContain(`Backend: webgpu on ${adapterHere!.name}`)
      // Without Dawn's own notes on what it looked for.
      expect(r.err).not.toMatch(/Couldn't load Vulkan|artificially reduced/)
      // One epoch of llvmpipe's seconds: from a third (chance) to most of the shapes.
      expect(Number(/Epoch 1\/1\n.* val_accuracy: (\d\.\d+)/.exec(r.out)?.[1])).toBeGreaterThan(0.8)
    },
    120_000,
  )

  // The keras rung: the real Keras of the tests' Python (NETWRIGHT_PYTHON, as .ci/run sets it).
  it.skipIf(!kerasPython)(
    'trains on --backend keras with live batch and epoch lines, in your own Keras',
    () => {
      const r = netwright('train', template, '--epochs', '2', '--backend', 'keras', '--json')
      expect(r.code).toBe(0)
      const lines = r.out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
      expect(lines[0]).toMatchObject({ event: 'backend', backend: 'keras' })
      expect(lines[0].backends[0].detail).toMatch(/^Keras 3\./)
      expect(lines.filter((l) => l.event === 'batch').length).toBeGreaterThan(0)
      expect(lines.filter((l) => l.event === 'epoch').map((l) => l.epoch)).toEqual([1, 2])
      const done = lines.find((l) => l.event === 'done')
      expect(done.val_accuracy).toBeGreaterThanOrEqual(0.9)
      // Keras's run ends with the same evaluation event as the in-app trainer's.
      expect(lines.at(-1)).toMatchObject({ event: 'evaluation', split: 'test', count: 300 })
      expect(lines.at(-1).metrics.accuracy).toBe(done.test_accuracy)
    },
    120_000,
  )

  it.each([
    ['cycle', /closes a loop/],
    ['missing-node', /does not exist \(ghost\)/],
    ['unknown-layer', /Unknown layer type "Dense3D"/],
    ['wrong-param-type', /units must be a whole number; received "many"/],
    ['truncated', /looks truncated/],
  ])('refuses the %s document with a clear message and a non-zero exit', async (name, message) => {
    const r = await cli('train', join(fixtures, `${name}.netwright.json`))
    expect(r.code).toBe(2)
    expect(r.err).toMatch(message)
    expect(r.out).toBe('')
  })

  it('prepares a Keras dataset offline: a clear message with the URL and the path, within seconds', async () => {
    const home = mkdtempSync(join(tmpdir(), 'netwright-empty-keras-'))
    const started = Date.now()
    const r = spawnSync(process.execPath, [join(root, 'bin/netwright.js'), 'datasets', 'prepare', 'mnist'], {
      encoding: 'utf8',
      env: { ...process.env, KERAS_HOME: home },
      timeout: 60_000,
    })
    expect(Date.now() - started).toBeLessThan(30_000)
    expect(r.status).toBe(1)
    expect(r.stderr).toContain('https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz')
    expect(r.stderr).toContain(join(home, 'datasets', 'mnist.npz'))
  })

  it('refuses a cached Keras file that is not the published one, says so, and leaves it in place', async () => {
    const home = stageFashionCache()
    const r = spawnSync(
      process.execPath,
      [join(root, 'bin/netwright.js'), 'datasets', 'prepare', 'fashion_mnist', '--json'],
      { encoding: 'utf8', env: { ...process.env, KERAS_HOME: home }, timeout: 60_000 },
    )
    expect(r.status).toBe(1)
    expect(r.stderr).toMatch(/train-labels-idx1-ubyte\.gz is corrupt \(its md5 is /)
    expect(r.stderr).toContain('Your file was put back as it was.')
    expect(existsSync(join(home, 'datasets', 'fashion-mnist', 'train-labels-idx1-ubyte.gz'))).toBe(true)
  })

  it('prepares a dataset and prints its shapes and class balance', async () => {
    const r = await cli('datasets', 'prepare', 'spirals', '--json')
    expect(r.code).toBe(0)
    const ready = JSON.parse(r.out.trim().split('\n').at(-1)!)
    expect(ready).toMatchObject({ event: 'ready', id: 'spirals', samples: 1000, sampleShape: [2] })
    expect(ready.classes['arm 1'] + ready.classes['arm 2']).toBe(1000)
  })

  it('prepares your own CSV file with --option settings, and names a wrong column', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netwright-csv-'))
    const csv = join(dir, 'houses.csv')
    const rows = Array.from({ length: 50 }, (_, i) => `${i % 7},${i % 2 ? 'brick' : 'wood'},${100 + i * 3.5}`)
    writeFileSync(csv, `rooms,material,price\n${rows.join('\n')}\n`)
    const r = await cli(
      'datasets',
      'prepare',
      'csv',
      '--option',
      `path=${csv}`,
      '--option',
      'test_split=0.1',
      '--json',
    )
    expect(r.code).toBe(0)
    expect(JSON.parse(r.out.trim().split('\n').at(-1)!)).toMatchObject({
      task: 'regression',
      samples: 45,
      testSamples: 5,
      sampleShape: [3],
      targets: { min: 100 },
    })
    // Trained on it, the held-back rows are evaluated after the last epoch.
    const doc = JSON.parse(
      readFileSync(join(root, 'resources/templates/keras-first-example.netwright.json'), 'utf8'),
    )
    doc.nodes.find((n: { className: string }) => n.className === 'InputLayer').params.shape = [3]
    doc.nodes.at(-1).params.activation = 'linear'
    doc.compile = { ...doc.compile, loss: 'mean_squared_error', metrics: [] }
    doc.dataset = { id: 'csv', options: { path: csv, test_split: 0.1 } }
    writeFileSync(join(dir, 'houses.netwright.json'), JSON.stringify(doc))
    const trained = await cli('train', join(dir, 'houses.netwright.json'), '--epochs', '1')
    expect(trained.code, trained.err).toBe(0)
    expect(trained.out).toMatch(
      /Evaluated on \d+ test samples - loss: \d+\.\d{4} - mae: \d+\.\d{4} - mse: \d+\.\d{4}/,
    )
    const bad = await cli('datasets', 'prepare', 'csv', '--option', `path=${csv}`, '--option', 'target=cost')
    expect(bad.code).toBe(1)
    expect(bad.err).toContain('has no column "cost". Its columns: rooms, material, price.')
    expect((await cli('datasets', 'prepare', 'csv', '--option', 'path')).err).toContain(
      '--option takes key=value',
    )
  })

  it('gives identical per-epoch losses for two runs with the same seed on the same backend', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netwright-cli-seed-'))
    const doc = JSON.parse(readFileSync(template, 'utf8'))
    doc.dataset.options.count = 200
    doc.training.seed = 7
    writeFileSync(join(dir, 'seeded.json'), JSON.stringify(doc))
    const losses = async () => {
      const r = await cli('train', join(dir, 'seeded.json'), '--epochs', '2', '--backend', 'wasm', '--json')
      expect(r.code, r.err).toBe(0)
      return r.out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
        .filter((l) => l.event === 'epoch')
        .map((l) => [l.loss, l.val_loss])
    }
    const first = await losses()
    expect(first).toHaveLength(2)
    expect(await losses()).toEqual(first)
  })

  it('ends a 300-epoch run early with an EarlyStopping callback, and says why', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netwright-cli-early-'))
    const doc = JSON.parse(readFileSync(template, 'utf8'))
    doc.dataset.options.count = 150
    doc.training.callbacks = [{ class_name: 'EarlyStopping', config: { patience: 1, min_delta: 0.05 } }]
    writeFileSync(join(dir, 'early.json'), JSON.stringify(doc))
    const r = await cli('train', join(dir, 'early.json'), '--epochs', '300')
    expect(r.code, r.err).toBe(0)
    const epochs = Number(/Finished after (\d+) of 300 epochs\./.exec(r.out)?.[1])
    expect(epochs).toBeLessThan(300)
    expect(r.out).toContain(`EarlyStopping ended the run after epoch ${epochs}: val_loss had not improved`)
    expect(r.out.match(/^Epoch \d+\/300$/gm)).toHaveLength(epochs)
    // A callback Netwright does not know is refused with the document's own words.
    doc.training.callbacks = [{ class_name: 'TensorBoard', config: {} }]
    writeFileSync(join(dir, 'bad.json'), JSON.stringify(doc))
    const bad = await cli('train', join(dir, 'bad.json'))
    expect(bad.code).toBe(2)
    expect(bad.err).toMatch(/training\.callbacks\.0/)
  })

  it('refuses bad arguments', async () => {
    expect((await cli('train', template, '--epochs', 'zero')).err).toContain(
      '--epochs must be a whole number',
    )
    expect((await cli('train', template, '--backend', 'tpu')).err).toContain('--backend must be one of')
    expect((await cli('train', 'no-such-file.json')).err).toContain('no such file')
    expect((await cli('frobnicate')).code).toBe(2)
  })

  it('prints human-readable epochs and the backend in use', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netwright-cli-'))
    const doc = JSON.parse(readFileSync(template, 'utf8'))
    doc.dataset.options.count = 150
    writeFileSync(join(dir, 'small.json'), JSON.stringify(doc))
    const r = await cli(
      'train',
      join(dir, 'small.json'),
      '--epochs',
      '2',
      '--batch-size',
      '16',
      '--backend',
      'cpu',
    )
    expect(r.code).toBe(0)
    expect(r.err).toMatch(/^Backend: cpu/)
    expect(r.out).toMatch(
      /Epoch 1\/2\n8\/8 - \d+\.\ds \d+ms\/step - loss: \d\.\d{4} - accuracy: \d\.\d{4} - val_loss/,
    )
    expect(r.out).toContain('Finished 2 epochs.')
  })

  it('trains and saves the model (--save), then exports it with those weights (--run) and in every format', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netwright-cli-export-'))
    const doc = JSON.parse(readFileSync(template, 'utf8'))
    doc.dataset.options.count = 150
    const project = join(dir, 'small.netwright.json')
    writeFileSync(project, JSON.stringify(doc))
    const trained = await cli('train', project, '--epochs', '1', '--save', join(dir, 'saved'))
    expect(trained.code).toBe(0)
    expect(trained.out).toContain(`Saved the trained model: ${join(dir, 'saved', 'model.json')}`)
    expect(readdirSync(join(dir, 'saved')).sort()).toEqual(['model.json', 'model.weights.bin'])

    const tfjs = await cli(
      'export',
      project,
      '--format',
      'tfjs',
      '--out',
      join(dir, 'out'),
      '--run',
      join(dir, 'saved'),
    )
    expect(tfjs.code).toBe(0)
    expect(readFileSync(join(dir, 'out', 'model.weights.bin'))).toEqual(
      readFileSync(join(dir, 'saved', 'model.weights.bin')),
    )
    for (const [format, file] of [
      ['keras-json', 'shapes-classifier.keras.json'],
      ['python', 'train.py'],
      ['pytorch', 'shapes_classifier_torch.py'],
      ['svg', 'shapes-classifier.svg'],
      ['png', 'shapes-classifier.png'],
    ] as const) {
      const r = await cli('export', project, '--format', format, '--out', join(dir, 'out'))
      expect(r.code, r.err).toBe(0)
      expect(r.out).toContain(`Wrote ${join(dir, 'out', file)}`)
    }
    // Training on from the saved weights (fine-tuning).
    const tuned = await cli('train', project, '--epochs', '1', '--from', join(dir, 'saved', 'model.json'))
    expect(tuned.code).toBe(0)
  })

  it('says clearly what is wrong with an export', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netwright-cli-export-bad-'))
    const noWeights = await cli('export', template, '--format', 'tfjs', '--out', dir)
    expect(noWeights.code).toBe(1)
    expect(noWeights.err).toContain('There are no trained weights to export yet')
    const sep = await cli('export', template, '--format', 'svg', '--out', dir, '--name', 'sub/diagram')
    expect(sep.err).toContain('contains a path separator')
    expect((await cli('export', template, '--format', 'onnx', '--out', dir)).err).toContain(
      '--format must be one of tfjs, keras, keras-json, python, pytorch, svg, png; received "onnx"',
    )
    expect((await cli('export', template, '--format', 'svg')).err).toContain('--out DIR is required')
    expect((await cli('export', template, '--format', 'tfjs', '--out', dir, '--run', dir)).err).toContain(
      `Cannot read the weights in ${dir}`,
    )
    expect(readdirSync(dir)).toEqual([])
  })
})
