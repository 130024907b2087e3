import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { stageFashionCache } from '../datasets/testing'
import { cli, fixtures, root, template } from '../testing/cli'

describe('the netwright CLI', () => {
  it('prints a Keras-style summary', async () => {
    const r = await cli('summary', template)
    expect(r.code).toBe(0)
    expect(r.out).toContain('Model: "Shapes classifier"')
    // As Keras 3 prints it: thousands separators, and 0.00 B (not "0.00 Byte").
    expect(r.out).toMatch(/dense \(Dense\)\s+\(None, 128\)\s+100,480/)
    expect(r.out).toContain('Total params: 100,867 (394.01 KB)')
    expect(r.out).toContain('Non-trainable params: 0 (0.00 B)')
  })

  it('summarizes every file it is given, and keeps its columns with a long layer name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netwright-summaries-'))
    const doc = JSON.parse(readFileSync(template, 'utf8'))
    doc.name = 'Long names'
    doc.nodes.find((n: { name: string }) => n.name === 'dense').name =
      'a_very_long_layer_name_that_goes_on_and_on'
    writeFileSync(join(dir, 'long.netwright.json'), JSON.stringify(doc))
    const r = await cli('summary', template, join(dir, 'long.netwright.json'))
    expect(r.code).toBe(0)
    expect(r.out).toContain('Model: "Shapes classifier"')
    expect(r.out).toContain('Model: "Long names"')
    // The name is cut to its column (as Keras 3 cuts it), its type on the next line; the shape column stays put.
    const lines = r.out.split('\n')
    const long = lines.find((l) => l.includes('a_very_long'))!
    expect(long).toMatch(/^ a_very_long_layer_name_that…\s+\(None, 128\)\s+100,480$/)
    expect(lines[lines.indexOf(long) + 1]).toBe(' (Dense)')
    const shapeAt = (l: string) => l.indexOf('(None')
    expect(shapeAt(long)).toBe(shapeAt(lines.find((l) => l.startsWith(' dense_1 (Dense)'))!))
  })

  it('lists the datasets under a header, in columns', async () => {
    const r = await cli('datasets', 'list')
    expect(r.code).toBe(0)
    const [head, ...rows] = r.out.trimEnd().split('\n')
    expect(head).toMatch(/^ID\s+TASK\s+SAMPLE\s+STATUS\s+NAME$/)
    const at = (word: string) => head!.indexOf(word)
    expect(rows.length).toBeGreaterThan(8)
    for (const row of rows) {
      // Every row's columns start where the header's do.
      expect(row[at('TASK') - 1]).toBe(' ')
      expect(row[at('TASK')]).not.toBe(' ')
      expect(row[at('SAMPLE')]).toBe('[')
    }
    expect(rows.find((l) => l.startsWith('spirals'))).toMatch(
      /^spirals\s+classification\s+\[2\]\s+built-in\s+Spirals/,
    )
  })

  it('answers --help after a command with the usage, not an argument error', async () => {
    for (const verb of ['train', 'summary', 'export', 'datasets']) {
      const r = await cli(verb, '--help')
      expect(r.code).toBe(0)
      expect(r.out).toContain('Usage:')
      expect(r.err).toBe('')
    }
  })

  it('summarizes a Keras model JSON too', async () => {
    const r = await cli('summary', join(fixtures, 'keras-mlp.json'))
    expect(r.code).toBe(0)
    expect(r.out).toContain('Total params: 407,050')
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
    // (Name and type on two lines: together they are longer than the column, as Keras 3 prints them.)
    expect(text.out).toMatch(/d\ufffd]0;owned.*evil .*\n \(Dense\)/)
    const json = await cli('summary', file, '--json')
    expect(json.out).not.toMatch(/[\u009b\u202e]/)
    expect(JSON.parse(json.out).layers[0].name).toBe(name)
  })

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

  it('refuses bad arguments', async () => {
    expect((await cli('train', template, '--epochs', 'zero')).err).toContain(
      '--epochs must be a whole number',
    )
    expect((await cli('train', template, '--backend', 'tpu')).err).toContain('--backend must be one of')
    expect((await cli('train', 'no-such-file.json')).err).toContain('no such file')
    expect((await cli('frobnicate')).code).toBe(2)
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
