// .keras and .h5 files without Python: our writer read back by our reader, the service opening one
// with its weights, and damaged or hostile files refused with a sentence (the real-Keras checks are
// in keras.test.ts and import-keras.test.ts).
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { strToU8, zipSync } from 'fflate'
import { afterAll, describe, expect, it } from 'vitest'
import { analyze } from '../../shared/graph/analyze'
import { toKerasConfig } from '../../shared/keras/config'
import { shapesDoc } from '../../shared/testing'
import { browserService } from '../hosts/browser'
import { readKerasFile, toSnakeCase, writeKerasFile, type LayerWeights } from './keras-file'
import { kerasModelJson } from './keras-json'
import { readTfjsModel } from './tfjs-io'

/** The shapes model's layers with made-up weights of the right shapes. */
function shapesLayers(): LayerWeights[] {
  const doc = shapesDoc()
  const a = analyze(doc)
  const shapes: Record<string, number[][]> = { dense: [[784, 128], [128]], dense_1: [[128, 3], [3]] }
  return toKerasConfig(doc, a)
    .config.layers.filter((l) => l.class_name !== 'InputLayer')
    .map((l) => {
      const name = String(l.config.name)
      return {
        className: l.class_name,
        name,
        weights: (shapes[name] ?? []).map((shape, k) => ({
          shape,
          values: Float32Array.from({ length: shape.reduce((x, y) => x * y, 1) }, (_, i) => Math.sin(i + k)),
        })),
      }
    })
}

const workspace = mkdtempSync(join(tmpdir(), 'netwright-kerasfile-'))
const service = browserService(workspace)
afterAll(() => service.shutdown())

describe('.keras files', () => {
  it("names layer groups as Keras's to_snake_case does", () => {
    expect(
      ['Conv2D', 'SimpleRNN', 'PReLU', 'BatchNormalization', 'GlobalAveragePooling2D'].map(toSnakeCase),
    ).toEqual(['conv2d', 'simple_rnn', 'p_re_lu', 'batch_normalization', 'global_average_pooling2d'])
  })

  it('reads back what it writes: the config and every weight, by layer', async () => {
    const layers = shapesLayers()
    const bytes = await writeKerasFile(kerasModelJson(shapesDoc()), 'Shapes_classifier', layers)
    const k = await readKerasFile(bytes, 'model.keras')
    expect((k.config.config as { layers: unknown[] }).layers).toHaveLength(4)
    for (const l of layers.filter((x) => x.weights.length)) {
      const got = k.weights.get(l.name)!
      expect(got.map((w) => w.shape)).toEqual(l.weights.map((w) => w.shape))
      expect(Array.from(got[0]!.values.slice(0, 5))).toEqual(Array.from(l.weights[0]!.values.slice(0, 5)))
    }
  })

  it('opens in the service as a new project with its weights as a run, which exports', async () => {
    writeFileSync(
      join(workspace, 'shapes.keras'),
      await writeKerasFile(kerasModelJson(shapesDoc()), 'Shapes_classifier', shapesLayers()),
    )
    const r = await service.call('project.open', { path: 'shapes.keras' })
    expect(r.imported).toBe(true)
    expect(r.warnings).toEqual([])
    expect(analyze(r.document).totalParams).toBe(100_867)
    expect(r.run?.source).toBe('imported')
    const out = await service.call('export.model', {
      document: r.document,
      format: 'tfjs',
      folder: 'out',
      name: 'model',
      runId: r.run!.runId,
    })
    const m = await readTfjsModel(join(workspace, out.files[0]!))
    expect(m.weightData.byteLength).toBe(100_867 * 4)
    expect(new Float32Array(m.weightData.slice().buffer)[1]).toBeCloseTo(Math.sin(1), 6)
    expect((await service.call('project.list', {})).map((f) => f.name)).toContain('shapes.keras')
  })

  it('opens the model alone, saying why, when its weights do not fit it', async () => {
    const layers = shapesLayers()
    layers[1]!.weights[0]!.shape = [128, 784]
    writeFileSync(
      join(workspace, 'bad-weights.keras'),
      await writeKerasFile(kerasModelJson(shapesDoc()), 'm', layers),
    )
    const r = await service.call('project.open', { path: 'bad-weights.keras' })
    expect(r.run).toBeUndefined()
    expect(r.warnings.join('\n')).toMatch(
      /The weights did not come with it: .*the weights of dense have the shapes \[128, 784\], \[128\], but the layer as Netwright builds it has \[784, 128\], \[128\]/,
    )
  })

  it('refuses damaged and hostile files with a sentence, and the service goes on', async () => {
    const good = await writeKerasFile(kerasModelJson(shapesDoc()), 'm', shapesLayers())
    const cases: [string, Uint8Array, RegExp][] = [
      ['truncated.keras', good.subarray(0, 200), /not a readable zip archive/],
      ['no-config.keras', zipSync({ 'x.txt': strToU8('hi') }), /has no config.json/],
      ['not-json.keras', zipSync({ 'config.json': strToU8('{oops') }), /config.json is not JSON/],
      [
        'garbage.h5',
        Uint8Array.from([0x89, 0x48, 0x44, 0x46, 13, 10, 26, 10, ...new Array(500).fill(7)]),
        /not an HDF5 file/,
      ],
      [
        'random.keras',
        Uint8Array.from({ length: 300 }, (_, i) => (i * 31) % 256),
        /neither a Keras 3 .keras archive nor a Keras .h5 file/,
      ],
      [
        'bad-h5-inside.keras',
        zipSync({
          'config.json': strToU8(kerasModelJson(shapesDoc())),
          'model.weights.h5': strToU8('not hdf5'),
        }),
        /not an HDF5 file/,
      ],
    ]
    for (const [name, bytes, message] of cases) {
      writeFileSync(join(workspace, name), bytes)
      await expect(service.call('project.open', { path: name }), name).rejects.toThrow(message)
    }
    expect((await service.call('project.open', { path: 'shapes.keras' })).imported).toBe(true)
  })
})
