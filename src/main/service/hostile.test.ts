// Files an attacker prepared: a model.json whose weights manifest points outside its folder, at a
// device or a pipe; links that lead out of the browser host's workspace, tried on every call that takes
// a path; and the litter of a killed save.
import { execFileSync } from 'node:child_process'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs'
import { serializeDocument } from '../../shared/graph/load'
import { shapesDoc } from '../../shared/testing'
import { toKerasConfig } from '../../shared/keras/config'
import { fileSaver, readTfjsModel } from '../export/tfjs-io'
import { browserService } from '../hosts/browser'
import { killDuringSave } from '../fuzz/kill9'
import { sweepTemps } from './litter'
import { runStore } from './runs'
import type { Service } from './index'
import { tempName } from './files'

const tmp = (what: string) => mkdtempSync(join(tmpdir(), `netwright-hostile-${what}-`))

/** A real tfjs model.json and its weights in `dir`, with the manifest rewritten by `edit`. */
async function savedModel(dir: string, edit?: (manifest: { paths: string[]; weights: unknown[] }[]) => void) {
  mkdirSync(dir, { recursive: true })
  const model = await tf.models.modelFromJSON({ modelTopology: toKerasConfig(shapesDoc()) as never })
  await model.save(fileSaver(dir))
  model.dispose()
  const path = join(dir, 'model.json')
  const json = JSON.parse(readFileSync(path, 'utf8'))
  edit?.(json.weightsManifest)
  writeFileSync(path, JSON.stringify(json))
  return path
}

const weightBytes = (dir: string) => readFileSync(join(dir, 'model.weights.bin')).length

describe('a model.json is read only from its own folder', () => {
  it('refuses shard paths that leave the folder, and never reads the file named', async () => {
    const root = tmp('manifest')
    const secret = join(root, 'outside', 'secret.bin')
    mkdirSync(join(root, 'outside'))
    for (const p of [
      '../outside/secret.bin',
      '../../outside/secret.bin',
      secret,
      'sub/../../outside/secret.bin',
      '..',
      'C:secret.bin',
      'a\\..\\b',
    ]) {
      const path = await savedModel(join(root, 'models', 'm'), (m) => (m[0]!.paths = [p]))
      writeFileSync(secret, Buffer.alloc(weightBytes(join(root, 'models', 'm')), 7))
      await expect(readTfjsModel(path), p).rejects.toThrow(/must be a plain file name beside the model\.json/)
    }
  })

  it('refuses a shard that is a link (to a device, a file outside), a pipe, or the wrong size, at once', async () => {
    const dir = tmp('shards')
    const path = await savedModel(dir, (m) => (m[0]!.paths = ['model.weights.bin', 'extra.bin']))
    const size = weightBytes(dir)
    const cases: [string, () => void, RegExp][] = [
      [
        '/dev/zero',
        () => symlinkSync('/dev/zero', join(dir, 'extra.bin')),
        /is a link; Netwright reads only plain files/,
      ],
      ['/etc/hostname', () => symlinkSync('/etc/hostname', join(dir, 'extra.bin')), /is a link/],
      ['a FIFO', () => execFileSync('mkfifo', [join(dir, 'extra.bin')]), /is a pipe \(FIFO\), not a file/],
      ['a folder', () => mkdirSync(join(dir, 'extra.bin')), /is a folder/],
      [
        'too many bytes',
        () => writeFileSync(join(dir, 'extra.bin'), Buffer.alloc(5)),
        /do not hold the \d+ bytes its manifest describes/,
      ],
    ]
    for (const [what, make, message] of cases) {
      execFileSync('rm', ['-rf', join(dir, 'extra.bin')])
      make()
      const t = performance.now()
      const err = await readTfjsModel(path).catch((e: Error) => e)
      expect(String(err), what).toMatch(message)
      // Nothing about the file named leaks: not its size, not its content.
      expect(String(err)).not.toContain(String(size + 5))
      expect(performance.now() - t, what).toBeLessThan(2000)
    }
  })

  it('refuses a manifest whose weights would take more than it reads, or that is not a manifest', async () => {
    const dir = tmp('huge')
    const path = await savedModel(dir, (m) => {
      ;(m[0]!.weights[0] as { shape: number[] }).shape = [100_000, 100_000]
    })
    await expect(readTfjsModel(path)).rejects.toThrow(/would take more than 2 GB/)
    for (const bad of [
      { paths: 'x' },
      [{ paths: [1], weights: [] }],
      [{ paths: [], weights: [{ name: 'w', shape: [-1], dtype: 'float32' }] }],
      [null],
    ]) {
      writeFileSync(path, JSON.stringify({ modelTopology: {}, weightsManifest: bad }))
      await expect(readTfjsModel(path)).rejects.toThrow(
        /is not a TensorFlow\.js model\.json Netwright can read: weightsManifest/,
      )
    }
  })
})

describe('links out of the browser host workspace, on every call that takes a path', () => {
  let service: Service
  const root = tmp('links')
  const ws = join(root, 'workspace')
  const out = join(root, 'outside')
  const project = serializeDocument(shapesDoc())
  beforeAll(async () => {
    mkdirSync(ws)
    mkdirSync(join(out, 'imgs', 'a'), { recursive: true })
    writeFileSync(join(out, 'secret.netwright.json'), project)
    writeFileSync(join(out, 'data.csv'), 'a,b\n1,0\n2,1\n3,0\n4,1\n')
    await savedModel(join(out, 'weights'))
    symlinkSync(join(out, 'secret.netwright.json'), join(ws, 'link.netwright.json'))
    symlinkSync(out, join(ws, 'dir'))
    symlinkSync(join(out, 'not-yet.netwright.json'), join(ws, 'dangling.netwright.json'))
    symlinkSync(join(out, 'data.csv'), join(ws, 'data.csv'))
    symlinkSync(join(out, 'imgs'), join(ws, 'imgs'))
    writeFileSync(join(ws, 'kept.netwright.json'), project)
    symlinkSync(join(out, 'weights'), join(ws, 'kept.weights'))
    service = browserService(ws)
  })
  afterAll(() => service.shutdown())

  const refused = async (method: string, params: unknown) => {
    const err = (await service.dispatch(method, params).then(
      () => null,
      (e: { code?: string; message: string }) => e,
    ))!
    expect(err, `${method} ${JSON.stringify(params)}`).not.toBeNull()
    expect(err.code).toBe('forbidden')
    // The message names what the user typed, never where the link leads.
    expect(err.message).not.toContain(out)
    return err.message
  }

  it('project.open refuses a linked file and a file in a linked folder', async () => {
    expect(await refused('project.open', { path: 'link.netwright.json' })).toMatch(
      /leads outside the workspace folder/,
    )
    await refused('project.open', { path: 'dir/secret.netwright.json' })
    await refused('project.open', { path: 'dir/weights/model.json' })
  })

  it('project.save refuses to write through a link, a linked folder or a dangling link, and writes nothing outside', async () => {
    const before = readdirSync(out).sort()
    const document = shapesDoc()
    await refused('project.save', { path: 'link.netwright.json', document })
    await refused('project.save', { path: 'dir/new.netwright.json', document })
    await refused('project.save', { path: 'dir/deeper/new.netwright.json', document })
    expect(await refused('project.save', { path: 'dangling.netwright.json', document })).toMatch(
      /link whose target does not exist/,
    )
    expect(readdirSync(out).sort()).toEqual(before)
    expect(readFileSync(join(out, 'secret.netwright.json'), 'utf8')).toBe(project)
  })

  it('export.model refuses a linked folder', async () => {
    const before = readdirSync(out).sort()
    for (const folder of ['dir', 'dir/exports', 'imgs'])
      await refused('export.model', { document: shapesDoc(), format: 'keras-json', folder, name: 'm' })
    expect(readdirSync(out).sort()).toEqual(before)
  })

  it('datasets.preview, datasets.samples and training.start refuse a linked CSV file or image folder', async () => {
    await refused('datasets.samples', { id: 'csv', options: { path: 'data.csv' }, indices: [0] })
    await refused('datasets.samples', { id: 'images', options: { path: 'imgs' }, indices: [0] })
    await refused('datasets.preview', { id: 'csv', options: { path: 'data.csv' } })
    await refused('datasets.preview', { id: 'images', options: { path: 'imgs' } })
    await refused('datasets.preview', { id: 'csv', options: { path: 'dir/data.csv' } })
    const d = shapesDoc()
    d.dataset = { id: 'csv', options: { path: 'data.csv' } }
    await refused('training.start', { document: d })
    d.dataset = { id: 'images', options: { path: 'dir/imgs' } }
    await refused('training.start', { document: d })
  })

  it('weights kept beside a project are not read through a link', async () => {
    const r = (await service.call('project.open', { path: 'kept.netwright.json' })) as {
      run?: unknown
      warnings: string[]
    }
    expect(r.run).toBeUndefined()
    expect(r.warnings.join(' ')).toMatch(
      /kept weights were not opened: kept\.weights beside the project is a link/,
    )
  })

  it('project.list does not list what links lead to', async () => {
    const list = await service.call('project.list', {})
    expect(list.map((p) => p.path)).toEqual(['kept.netwright.json'])
  })
})

describe('what killed saves leave behind', () => {
  it('is removed the next time the service starts; a live writer’s and a restorable folder are kept', async () => {
    const ws = tmp('litter')
    const target = join(ws, 'model.netwright.json')
    writeFileSync(target, serializeDocument(shapesDoc()))
    // A dead process's temporary files, a live one's (this process), and a folder moved aside whose
    // replacement never arrived.
    const dead = (p: string, tag: 'tmp' | 'old' = 'tmp') =>
      tempName(p, tag).replace(`.${process.pid}.`, '.999999999.')
    const deadTmp = dead(target)
    writeFileSync(deadTmp, Buffer.alloc(1024 * 1024))
    const live = tempName(target)
    writeFileSync(live, 'in progress')
    mkdirSync(join(ws, 'sub'))
    const deadInSub = dead(join(ws, 'sub', 'x.json'))
    writeFileSync(deadInSub, '{}')
    const old = dead(join(ws, 'model.weights'), 'old')
    mkdirSync(old)
    writeFileSync(join(old, 'model.json'), '{}')
    const s = browserService(ws)
    await s.swept
    s.shutdown()
    expect(existsSync(deadTmp)).toBe(false)
    expect(existsSync(deadInSub)).toBe(false)
    expect(existsSync(live)).toBe(true)
    expect(existsSync(join(ws, 'model.weights', 'model.json'))).toBe(true)
    expect(readFileSync(target, 'utf8')).toContain('Shapes classifier')
  })

  it('the runs cache is pruned after every run, not only at start', async () => {
    const root = tmp('runs')
    const store = runStore(root)
    for (let i = 0; i < 30; i++) {
      const id = `run-${String(i).padStart(2, '0')}`
      mkdirSync(join(root, id))
      writeFileSync(join(root, id, 'model.json'), '{}')
      utimesSync(join(root, id), new Date(1e12 + i * 1000), new Date(1e12 + i * 1000))
    }
    mkdirSync(join(root, 'newest'))
    await store.addTrained({ runId: 'newest', epochsDone: 1, final: {}, history: [], documentName: 'd' })
    const left = readdirSync(root).sort()
    expect(left).toHaveLength(20)
    expect(left).toContain('newest')
    expect(left).not.toContain('run-00')
  })

  it('a temporary file older than a day goes even if its process id is alive again', async () => {
    const dir = tmp('stale')
    const old = tempName(join(dir, 'a.json')).replace(/\.(\d{10,16})\./, `.${Date.now() - 2 * 86_400_000}.`)
    writeFileSync(old, 'x')
    utimesSync(old, new Date(), new Date())
    expect((await sweepTemps(dir)).removed).toEqual([old])
  })

  it('kill -9 during save keeps the old project or the new one, never a broken one; the next start cleans up', async () => {
    const runs = Number(process.env.NETWRIGHT_KILL_RUNS ?? 8)
    const r = await killDuringSave(runs)
    console.log(
      `kill -9 during save: ${runs} kills, ${r.litterBefore} temporary files left before the next start`,
    )
    expect(r.broken).toBe(0)
    expect(r.keptOld + r.keptNew).toBe(runs)
    expect(r.litterAfter).toBe(0)
  })
})
