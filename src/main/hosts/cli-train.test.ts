// The CLI's training commands (train, evaluate, export of a trained run), on each backend it can use.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { cli, kerasPython, kerasSkipReason, netwright, root, template } from '../testing/cli'
import { findAdapter } from '../trainer/webgpu'

const search = await findAdapter()
const adapterHere = 'reason' in search ? null : search.description
if (!adapterHere) console.warn(`The CLI's webgpu run skipped: ${'reason' in search ? search.reason : ''}.`)
if (!kerasPython) console.warn(`The CLI's keras run skipped: ${kerasSkipReason()}`)

describe('netwright train', () => {
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
})
