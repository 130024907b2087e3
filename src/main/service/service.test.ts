import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { Events } from '../../shared/ipc/contract'
import { shapesDoc } from '../../shared/testing'
import { browserService } from '../hosts/browser'
import { templatesDir } from '../hosts/paths'
import { stageFashionCache, trustStagedFashion } from '../datasets/testing'
import { forkLauncher } from '../trainer/launch'
import { workspaceFiles } from './files'
import { createService } from './index'
import { ended, small } from './testing'

const workspace = mkdtempSync(join(tmpdir(), 'netwright-service-'))
const service = browserService(workspace)
afterAll(() => service.shutdown())

/** A service whose Keras cache is the one staged in `home`. */
const kerasService = (home: string) =>
  createService({
    host: 'cli',
    launcher: forkLauncher(),
    files: workspaceFiles(workspace),
    templatesDir: templatesDir(),
    kerasDir: join(home, 'datasets'),
  })

describe('the service', () => {
  it('refuses unknown calls and malformed requests with a clear message', async () => {
    await expect(service.dispatch('model.explode', {})).rejects.toThrow('Unknown call "model.explode"')
    await expect(service.dispatch('training.stop', { runId: 5 })).rejects.toThrow(
      /Bad request for training.stop: runId/,
    )
    await expect(service.dispatch('project.open', {})).rejects.toThrow(/Bad request for project.open: path/)
  })

  it('checks a document and explains an invalid one', async () => {
    const ok = await service.call('model.check', { document: shapesDoc() })
    expect(ok.totalParams).toBe(100_867)
    expect(ok.kerasConfig?.class_name).toBe('Sequential')
    await expect(
      service.call('model.check', { document: { format: 'netwright', version: 1 } }),
    ).rejects.toThrow(/The project is not a valid Netwright project/)
    const cyclic = shapesDoc()
    cyclic.edges.push({ id: 'loop', source: 'dense_1', target: 'dense', targetPort: 1 })
    const check = await service.call('model.check', { document: cyclic })
    expect(check.ok).toBe(false)
    await expect(service.call('training.start', { document: cyclic })).rejects.toThrow(/closes a loop/)
  })

  it('gives the samples behind test rows, and refuses rows that are not there', async () => {
    await expect(service.call('model.evaluate', { document: shapesDoc(), runId: 'x' })).rejects.toThrow(
      'Those weights are not available any more',
    )
    const shapes = await service.call('datasets.samples', {
      id: 'shapes',
      options: { count: 100 },
      seed: 3,
      split: 'test',
      indices: [0, 19],
    })
    expect(shapes.images).toMatchObject({ height: 28, width: 28, channels: 1 })
    expect(shapes.images!.samples.map((s) => s.index)).toEqual([0, 19])
    expect(Buffer.from(shapes.images!.samples[0]!.pixels, 'base64')).toHaveLength(784)
    const moons = await service.call('datasets.samples', {
      id: 'moons',
      options: {},
      seed: 1,
      split: 'test',
      indices: [1],
    })
    expect(moons.rows![0]!.values).toHaveLength(2)
    await expect(
      service.call('datasets.samples', {
        id: 'shapes',
        options: { count: 100 },
        seed: 3,
        split: 'test',
        indices: [20],
      }),
    ).rejects.toThrow('There is no sample 20 in the test split of "shapes": it has 20, numbered from 0.')
    await expect(
      service.dispatch('datasets.samples', { id: 'shapes', indices: new Array(65).fill(0) }),
    ).rejects.toThrow(/Bad request for datasets.samples: indices/)
    await expect(service.dispatch('datasets.samples', { id: 'nope', indices: [0] })).rejects.toThrow(
      'There is no dataset "nope".',
    )
  })

  it('saves atomically inside the workspace and opens the file again', async () => {
    const r = await service.call('project.save', { path: 'sub/model', document: shapesDoc() })
    expect(r.path).toBe('sub/model.netwright.json')
    expect(readdirSync(join(workspace, 'sub'))).toEqual(['model.netwright.json'])
    const back = await service.call('project.open', { path: r.path })
    expect(back.document).toEqual(shapesDoc())
    expect((await service.call('project.list', {})).map((f) => f.path)).toContain('sub/model.netwright.json')
  })

  it('lists the templates from the simplest to the Functional ones, not by name', async () => {
    const names = (await service.call('project.templates', {})).map((t) => t.name)
    expect(names.slice(0, 3)).toEqual(['shapes-mlp', 'keras-first-example', 'mnist-mlp'])
    expect(names.slice(-2)).toEqual(['residual-block', 'two-inputs'])
    expect(names.indexOf('fashion-mnist-cnn')).toBeLessThan(names.indexOf('imdb-lstm'))
  })

  it('lists for Open only what opens: projects, Keras and TensorFlow.js models, not package.json and the like', async () => {
    const put = (name: string, text: string) => writeFileSync(join(workspace, name), text)
    put('package.json', JSON.stringify({ name: 'x', version: '1.0.0' }))
    put('package-lock.json', JSON.stringify({ lockfileVersion: 3 }))
    put('tsconfig.json', '{ "compilerOptions": {} }')
    put('keras-model.json', JSON.stringify({ class_name: 'Sequential', config: { layers: [] } }))
    put('model.json', JSON.stringify({ modelTopology: {}, weightsManifest: [] }))
    const listed = (await service.call('project.list', {})).map((f) => f.name)
    expect(listed).toEqual(expect.arrayContaining(['keras-model.json', 'model.json', 'model.netwright.json']))
    for (const name of ['package.json', 'package-lock.json', 'tsconfig.json'])
      expect(listed).not.toContain(name)
  })

  it('keeps the browser host inside its workspace', async () => {
    await expect(service.call('project.open', { path: '../../etc/passwd' })).rejects.toThrow(
      /outside the workspace/,
    )
    await expect(service.call('project.open', { path: '/etc/passwd' })).rejects.toThrow(
      /not a path inside the workspace/,
    )
    await expect(service.call('project.open', { path: 'nope.json' })).rejects.toThrow(/There is no file at/)
  })

  it('explains a truncated file and leaves the one on disk alone', async () => {
    const text = JSON.stringify(shapesDoc())
    writeFileSync(join(workspace, 'cut.json'), text.slice(0, 200))
    await expect(service.call('project.open', { path: 'cut.json' })).rejects.toThrow(/looks truncated/)
    await expect(
      service.call('project.save', { path: 'cut.json', document: { nodes: 'oops' } }),
    ).rejects.toThrow(/not a Netwright project/)
    expect(readFileSync(join(workspace, 'cut.json'), 'utf8')).toBe(text.slice(0, 200))
  })

  it('trains in a separate process and streams metrics', async () => {
    const metrics: string[] = []
    const off = service.subscribe(
      (e, p) => e === 'training.metrics' && metrics.push((p as Events['training.metrics']).kind),
    )
    let runId = ''
    const end = ended(service, () => runId)
    runId = (await service.call('training.start', { document: small() })).runId
    const status = await end
    off()
    expect(status.state).toBe('done')
    expect(status.backend).toMatch(/wasm|cpu|tfjs-node/)
    expect(metrics).toContain('batch')
    expect(metrics).toContain('epoch')
    expect(status.final).toHaveProperty('val_accuracy')
  })

  it('survives the trainer process being killed mid-run, says so, and trains again', async () => {
    const doc = small()
    doc.training.epochs = 500
    let runId = ''
    const end = ended(service, () => runId)
    const started = new Promise<void>((resolve) => {
      const off = service.subscribe((e, p) => {
        if (e === 'training.metrics' && 'runId' in p && p.runId === runId) {
          off()
          resolve()
        }
      })
    })
    runId = (await service.call('training.start', { document: doc })).runId
    await started
    const pid = service.runs.get(runId)!.proc.pid!
    process.kill(pid, 'SIGKILL')
    const status = await end
    expect(status.state).toBe('failed')
    expect(status.message).toMatch(
      /The trainer process ended unexpectedly \(signal SIGKILL\)\. Netwright is still running/,
    )
    expect(service.runs.size).toBe(0)

    let again = ''
    const next = ended(service, () => again)
    again = (await service.call('training.start', { document: small() })).runId
    expect((await next).state).toBe('done')
  })

  it('pauses a run after its batch, nothing trains while paused, and it resumes where it was', async () => {
    const doc = small()
    doc.training.epochs = 500
    let runId = ''
    const end = ended(service, () => runId)
    const seen: { kind: string; step: number; at: number }[] = []
    const states: string[] = []
    const off = service.subscribe((e, p) => {
      if (!('runId' in p) || p.runId !== runId) return
      if (e === 'training.metrics') {
        const m = p as import('../../shared/ipc/contract').TrainingMetrics
        seen.push({ kind: m.kind, step: m.step, at: Date.now() })
      }
      if (e === 'training.status') states.push((p as { state: string }).state)
    })
    const until = async (f: () => boolean) => {
      while (!f()) await new Promise((r) => setTimeout(r, 20))
    }
    runId = (await service.call('training.start', { document: doc })).runId
    await until(() => seen.length > 0)
    expect(await service.call('training.pause', { runId })).toEqual({ paused: true })
    await until(() => states.includes('paused'))
    const pausedAt = seen.length
    const lastStep = seen.at(-1)!.step
    await new Promise((r) => setTimeout(r, 800))
    expect(seen.length).toBe(pausedAt) // nothing trained while paused
    expect(await service.call('training.resume', { runId })).toEqual({ resumed: true })
    await until(() => seen.length > pausedAt + 1)
    // It goes on from the batch it paused after: no new start, no epoch 1 again.
    expect(seen[pausedAt]!.step).toBeGreaterThan(lastStep)
    expect(states.slice(states.indexOf('paused'))).toContain('running')
    await service.call('training.stop', { runId })
    expect((await end).state).toBe('stopped')
    off()
    expect(await service.call('training.pause', { runId })).toEqual({ paused: false })
  })

  it('stops a run at once when asked', async () => {
    const doc = small()
    doc.training.epochs = 500
    let runId = ''
    const end = ended(service, () => runId)
    runId = (await service.call('training.start', { document: doc })).runId
    await new Promise((r) => setTimeout(r, 1500))
    const t0 = Date.now()
    await service.call('training.stop', { runId })
    const status = await end
    expect(status.state).toBe('stopped')
    expect(Date.now() - t0).toBeLessThan(3500)
  })

  it('reports the backend ladder honestly', async () => {
    const info = await service.call('system.info', {})
    expect(info.backends.map((b) => b.name)).toEqual([
      'tfjs-node-gpu',
      'keras',
      'webgpu',
      'tfjs-node',
      'wasm',
      'cpu',
    ])
    expect(info.chosenBackend).not.toBeNull()
    for (const b of info.backends) expect(b.detail.length).toBeGreaterThan(3)
  })

  it('refuses a cached Keras file that does not match its published hash, and keeps it', async () => {
    const home = stageFashionCache()
    const keras = kerasService(home)
    try {
      const preview = await keras
        .call('datasets.preview', { id: 'fashion_mnist', options: {}, seed: 1 })
        .catch((e: Error) => e)
      expect(String(preview)).toMatch(/train-labels-idx1-ubyte\.gz does not match its published md5/)
      const err = await keras.call('datasets.prepare', { id: 'fashion_mnist' }).catch((e: Error) => e)
      expect(String(err)).toMatch(
        /is corrupt \(its md5 is .*a fresh copy could not be had.*Your file was put back as it was/,
      )
      expect(readdirSync(join(home, 'datasets', 'fashion-mnist')).sort()).toEqual([
        't10k-images-idx3-ubyte.gz',
        't10k-labels-idx1-ubyte.gz',
        'train-images-idx3-ubyte.gz',
        'train-labels-idx1-ubyte.gz',
      ])
    } finally {
      keras.shutdown()
    }
  })

  it('trains on a Keras dataset from the cache, and says where to put one it cannot download', async () => {
    const home = stageFashionCache()
    const untrust = trustStagedFashion(home)
    const keras = kerasService(home)
    try {
      const doc = shapesDoc()
      doc.nodes[3]!.params.units = 10
      doc.dataset = { id: 'fashion_mnist', options: {} }
      doc.training.epochs = 1
      let runId = ''
      const end = ended(keras, () => runId)
      runId = (await keras.call('training.start', { document: doc })).runId
      const done = await end
      expect(done.state).toBe('done')
      expect(done.final!.accuracy).toBeGreaterThan(0.5)

      doc.dataset = { id: 'mnist', options: {} }
      let second = ''
      const failed = ended(keras, () => second)
      second = (await keras.call('training.start', { document: doc })).runId
      const status = await failed
      expect(status.state).toBe('failed')
      expect(status.message).toContain(
        'https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz',
      )
      expect(status.message).toContain(join(home, 'datasets', 'mnist.npz'))
    } finally {
      keras.shutdown()
      untrust()
    }
  })

  it('trains on a CSV file in the workspace, previews it, and refuses a path outside', async () => {
    // Two numeric features and a text class that a line separates; an id column to ignore.
    const rows = Array.from({ length: 240 }, (_, i) => {
      const a = ((i * 37) % 100) / 10
      const b = ((i * 53) % 100) / 10
      return `${i},${a},${b},${a + b > 10 ? 'high' : 'low'}`
    })
    writeFileSync(join(workspace, 'points.csv'), `id,a,b,label\n${rows.join('\n')}\n`)
    const options = { path: 'points.csv', ignore: 'id', test_split: 0.25 }
    const preview = await service.call('datasets.preview', { id: 'csv', options, seed: 1 })
    expect(preview).toMatchObject({ task: 'classification', sampleShape: [2], count: 180, testCount: 60 })
    expect(preview.classes).toEqual(['high', 'low'])
    expect(preview.balance.reduce((x, y) => x + y, 0)).toBe(180)
    expect(preview.table!.columns.map((c) => c.role)).toEqual(['ignored', 'feature', 'feature', 'target'])
    expect(preview.table!.taskReason).toContain('"label" holds text')

    const doc = shapesDoc()
    doc.nodes[0]!.params.shape = [2]
    doc.nodes.splice(1, 1) // no Flatten
    doc.edges = [
      { id: 'e1', source: 'input', target: 'dense', targetPort: 0 },
      { id: 'e2', source: 'dense', target: 'dense_1', targetPort: 0 },
    ]
    doc.nodes[2]!.params.units = 2
    doc.dataset = { id: 'csv', options }
    doc.training.epochs = 30
    let runId = ''
    const end = ended(service, () => runId)
    runId = (await service.call('training.start', { document: doc })).runId
    const done = await end
    expect(done.state).toBe('done')
    expect(done.final!.val_accuracy).toBeGreaterThan(0.8)

    await expect(
      service.call('datasets.preview', { id: 'csv', options: { path: '../elsewhere.csv' }, seed: 1 }),
    ).rejects.toThrow(/is outside the workspace folder/)
    await expect(service.call('datasets.preview', { id: 'csv', options: {}, seed: 1 })).rejects.toThrow(
      'Choose a CSV file first',
    )
    await expect(
      service.call('datasets.preview', { id: 'csv', options: { path: 'nothing.csv' }, seed: 1 }),
    ).rejects.toThrow(/There is no file at .*nothing\.csv/)
  })

  it('previews the built-ins: points for 2-D data, an image grid with labels for shapes', async () => {
    const moons = await service.call('datasets.preview', { id: 'moons', options: { count: 100 }, seed: 1 })
    expect(moons.points).toHaveLength(100)
    expect(moons.balance).toEqual([50, 50])
    // The panel and the browser ask for the same preview: it is made once.
    expect(await service.call('datasets.preview', { id: 'moons', options: { count: 100 }, seed: 1 })).toBe(
      moons,
    )
    const shapes = await service.call('datasets.preview', {
      id: 'shapes',
      options: { count: 60, flatten: true },
      seed: 1,
    })
    expect(shapes.sampleShape).toEqual([784])
    expect(shapes.images).toMatchObject({ height: 28, width: 28, channels: 1 })
    expect(shapes.images!.samples).toHaveLength(32)
    expect(Buffer.from(shapes.images!.samples[0]!.pixels, 'base64')).toHaveLength(784)
    expect(['circle', 'square', 'triangle']).toContain(shapes.images!.samples[0]!.label)
    const cifar = await service.call('datasets.preview', { id: 'cifar10', options: {}, seed: 1 })
    expect(cifar).toMatchObject({ cached: false, sampleShape: [32, 32, 3], count: 0 })
    // The note names the button the browser shows (Download) and the CLI's command.
    expect(cifar.notes[0]).toMatch(
      /^Not downloaded yet: Download \(or `netwright datasets prepare cifar10`\) fetches it into /,
    )
  })
})
