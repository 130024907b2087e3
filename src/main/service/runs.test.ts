// A run's weights, end to end through the service: saved when training ends, exported, kept beside
// the project and brought back when it is reopened, imported with a tfjs model.json and trained on.
import { existsSync, mkdtempSync, readdirSync, readFileSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { TrainingStatus } from '../../shared/ipc/contract'
import { browserService } from '../hosts/browser'
import { ended, small } from './testing'

const workspace = mkdtempSync(join(tmpdir(), 'netwright-runs-'))
const service = browserService(workspace)
afterAll(() => service.shutdown())

/** A run's trained weights, exported as TensorFlow.js into `folder`, as one array of numbers. */
async function weightsOf(runId: string, folder: string): Promise<Float32Array> {
  await service.call('export.model', { document: small(), format: 'tfjs', folder, name: 'm', runId })
  const bin = readFileSync(join(workspace, folder, 'm.weights.bin'))
  return new Float32Array(bin.buffer, bin.byteOffset, bin.byteLength / 4)
}

function largestChange(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length)
  let most = 0
  for (let i = 0; i < a.length; i++) most = Math.max(most, Math.abs(a[i]! - b[i]!))
  return most
}

async function trainRun(doc = small(), fromRun?: string, project?: string): Promise<TrainingStatus> {
  let id = ''
  const end = ended(service, () => id)
  id = (await service.call('training.start', { document: doc, fromRun, project })).runId
  return end
}

describe("a run's weights", () => {
  let trained: TrainingStatus

  it('are saved when a run ends, and export as a TensorFlow.js model into the folder chosen', async () => {
    trained = await trainRun()
    expect(trained.state).toBe('done')
    expect(trained.run).toMatchObject({ source: 'trained', epochsDone: 1 })
    expect(trained.run!.history).toHaveLength(1)
    const r = await service.call('export.model', {
      document: small(),
      format: 'tfjs',
      folder: 'exports',
      name: 'shapes',
      runId: trained.runId,
    })
    expect(r.files).toEqual([join('exports', 'shapes.json'), join('exports', 'shapes.weights.bin')])
    expect(readdirSync(join(workspace, 'exports')).sort()).toEqual(['shapes.json', 'shapes.weights.bin'])
    const json = JSON.parse(readFileSync(join(workspace, 'exports', 'shapes.json'), 'utf8'))
    expect(json.weightsManifest[0].paths).toEqual(['shapes.weights.bin'])
  })

  it('are kept beside the project on save, and come back when it is reopened', async () => {
    const saved = await service.call('project.save', {
      path: 'kept.netwright.json',
      document: small(),
      keepRun: trained.runId,
    })
    expect(saved.keptRun).toMatchObject({ source: 'kept', epochsDone: 1, final: trained.final })
    expect(readdirSync(join(workspace, 'kept.weights')).sort()).toEqual([
      'model.json',
      'model.weights.bin',
      'run.json',
    ])
    const opened = await service.call('project.open', { path: 'kept.netwright.json' })
    expect(opened.run).toMatchObject({ source: 'kept', final: trained.final })
    expect(opened.run!.history).toEqual(trained.run!.history)
    // Training on from the kept weights starts where they left off: with a learning rate too small to
    // move them, the weights and the validation loss are the ones the run ended with, where a fresh
    // run's (the same learning rate, another seed's initial weights) are not.
    const still = small()
    still.compile.learningRate = 1e-9
    const tuned = await trainRun(still, opened.run!.runId)
    expect(tuned.state).toBe('done')
    expect(tuned.final!.val_loss).toBeCloseTo(trained.final!.val_loss!, 4)
    const last = await weightsOf(trained.runId, 'w-trained')
    expect(largestChange(await weightsOf(tuned.runId, 'w-tuned'), last)).toBeLessThan(1e-6)
    // (Another seed: the same seed would start from the same initial weights, which one epoch barely moves.)
    const fresh = await trainRun({ ...still, training: { ...still.training, seed: still.training.seed + 1 } })
    expect(largestChange(await weightsOf(fresh.runId, 'w-fresh'), last)).toBeGreaterThan(0.01)
  })

  it('from a tfjs model.json come with it when it is opened, and export again unchanged', async () => {
    const opened = await service.call('project.open', { path: join('exports', 'shapes.json') })
    expect(opened.imported).toBe(true)
    expect(opened.run).toMatchObject({ source: 'imported' })
    const again = await service.call('export.model', {
      document: opened.document,
      format: 'tfjs',
      folder: 'again',
      name: 'model',
      runId: opened.run!.runId,
    })
    expect(again.files).toHaveLength(2)
    const a = JSON.parse(readFileSync(join(workspace, 'exports', 'shapes.json'), 'utf8'))
    const b = JSON.parse(readFileSync(join(workspace, 'again', 'model.json'), 'utf8'))
    expect(b.modelTopology).toEqual(a.modelTopology)
    expect(b.weightsManifest[0].weights).toEqual(a.weightsManifest[0].weights)
    expect(readFileSync(join(workspace, 'again', 'model.weights.bin'))).toEqual(
      readFileSync(join(workspace, 'exports', 'shapes.weights.bin')),
    )
    // And the imported model trains on (fine-tunes) from those weights.
    const tuned = await trainRun(
      { ...opened.document, dataset: small().dataset, training: small().training },
      opened.run!.runId,
    )
    expect(tuned.state).toBe('done')
  })

  it('that do not fit a changed model are refused, naming the layer', async () => {
    const changed = small()
    changed.nodes.find((n) => n.id === 'dense')!.params.units = 64
    const r = await trainRun(changed, trained.runId)
    expect(r.state).toBe('failed')
    expect(r.message).toMatch(
      /do not fit this model[\s\S]*dense\/kernel: saved \[784, 128\], the layer needs \[784, 64\]/,
    )
  })

  it('are asked for clearly when there are none, and paths stay inside the workspace', async () => {
    await expect(
      service.call('export.model', { document: small(), format: 'tfjs', folder: '', name: 'model' }),
    ).rejects.toThrow(/no trained weights to export yet/)
    await expect(
      service.call('export.model', {
        document: small(),
        format: 'tfjs',
        folder: '',
        name: 'model',
        runId: 'nope',
      }),
    ).rejects.toThrow(/has no saved weights/)
    await expect(
      service.call('export.model', { document: small(), format: 'svg', folder: '../outside', name: 'm' }),
    ).rejects.toThrow(/outside the workspace/)
    await expect(
      service.call('export.model', { document: small(), format: 'svg', folder: '', name: 'a/b' }),
    ).rejects.toThrow(/path separator/)
    expect(existsSync(join(workspace, 'm.svg'))).toBe(false)
    const svg = await service.call('export.model', {
      document: small(),
      format: 'svg',
      folder: '',
      name: 'diagram',
    })
    expect(svg.files).toEqual(['diagram.svg'])
  })

  it('a project whose kept weights are gone still opens', async () => {
    await service.call('project.save', { path: 'plain.netwright.json', document: small() })
    const opened = await service.call('project.open', { path: 'plain.netwright.json' })
    expect(opened.run).toBeUndefined()
  })

  it('are kept with the project they trained, and listed when it is opened in a later session', async () => {
    await service.call('project.save', { path: 'history.netwright.json', document: small() })
    const first = await trainRun(small(), undefined, 'history.netwright.json')
    const other = small()
    other.training.batchSize = 16
    const second = await trainRun(other, undefined, 'history.netwright.json')
    expect(readdirSync(join(workspace, 'history.runs')).sort()).toEqual([first.runId, second.runId].sort())
    expect(readdirSync(join(workspace, 'history.runs', first.runId)).sort()).toEqual([
      'model.json',
      'model.weights.bin',
      'run.json',
    ])
    // Open and Save list the project, not the files of its runs.
    const listed = (await service.call('project.list', {})).map((f) => f.path)
    expect(listed).toContain('history.netwright.json')
    expect(listed.filter((p) => p.startsWith('history.runs/'))).toEqual([])
    // A later session: a new service over the same workspace.
    const later = browserService(workspace)
    try {
      const opened = await later.call('project.open', { path: 'history.netwright.json' })
      expect(opened.history).toHaveLength(2)
      const [a, b] = opened.history!
      expect(a!.document!.training.batchSize).toBe(32)
      expect(b!.document!.training.batchSize).toBe(16)
      expect(a!.history).toEqual(first.run!.history)
      expect(a!.evaluation?.confusion).toEqual(first.evaluation!.confusion)
      // Their weights can be exported and evaluated as any run's.
      const e = await later.call('model.evaluate', { document: small(), runId: a!.runId })
      expect(e.confusion).toEqual(first.evaluation!.confusion)
    } finally {
      later.shutdown()
    }
    // A runs folder that is a link is not read; the project still opens, and says so.
    symlinkSync(join(workspace, 'history.runs'), join(workspace, 'linked.runs'))
    await service.call('project.save', { path: 'linked.netwright.json', document: small() })
    const linked = await service.call('project.open', { path: 'linked.netwright.json' })
    expect(linked.history).toBeUndefined()
    expect(linked.warnings.join(' ')).toContain(
      'The earlier runs were not opened: linked.runs beside the project is not a folder of its own',
    )
    // A project outside the workspace is refused before anything trains.
    await expect(
      service.call('training.start', { document: small(), project: '../x.netwright.json' }),
    ).rejects.toThrow(/outside the workspace/)
  })
})
