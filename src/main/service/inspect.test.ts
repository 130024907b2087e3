// Inside a trained model, for one sample the user picks: the feature maps after the convolution and
// the pooling, the Dense layer's activations, the output's probabilities.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { shapesCnnDoc } from '../../shared/testing'
import { browserService } from '../hosts/browser'
import { ended } from './testing'

const service = browserService(mkdtempSync(join(tmpdir(), 'netwright-inspect-')))
afterAll(() => service.shutdown())

describe('model.inspect', () => {
  it("shows each layer's output for a chosen test sample, and refuses a sample that is not there", async () => {
    const doc = shapesCnnDoc()
    doc.dataset.options = { count: 200 }
    doc.training.epochs = 2
    let id = ''
    const end = ended(service, () => id)
    id = (await service.call('training.start', { document: doc })).runId
    const status = await end
    expect(status.state).toBe('done')
    const look = await service.call('model.inspect', { document: doc, runId: id, split: 'test', index: 3 })
    expect(look).toMatchObject({ split: 'test', index: 3, count: 40 })
    expect(look.layers.map((l) => `${l.layer}:${l.kind}`)).toEqual([
      'conv2d:maps',
      'max_pooling2d:maps',
      'flatten:vector',
      'dense:vector',
      'dense_1:vector',
    ])
    const conv = look.layers[0]!
    const pool = look.layers[1]!
    if (conv.kind !== 'maps' || pool.kind !== 'maps') throw new Error('maps expected')
    // 8 filters of 26 × 26 after a valid 3 × 3 convolution, 13 × 13 after pooling; 0-255 each.
    expect([conv.channels, conv.height, conv.width, conv.maps.length]).toEqual([8, 26, 26, 8])
    expect([pool.height, pool.width]).toEqual([13, 13])
    expect(conv.maps[0]).toHaveLength(26 * 26)
    expect(conv.maps.flat().every((v) => Number.isInteger(v) && v >= 0 && v <= 255)).toBe(true)
    const dense = look.layers[3]!
    if (dense.kind !== 'vector') throw new Error('vector expected')
    expect(dense.size).toBe(16)
    expect(dense.zeros).toBe(dense.values.filter((v) => v === 0).length)
    // The output's probabilities: three, adding up to 1; the sample's true class is one of them.
    expect(look.output).toHaveLength(3)
    expect(look.output.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4)
    expect([0, 1, 2]).toContain(look.actual)
    await expect(
      service.call('model.inspect', { document: doc, runId: id, split: 'test', index: 40 }),
    ).rejects.toThrow('Sample 40 is past the end of the test split, which has 40 (0 to 39).')
    await expect(
      service.call('model.inspect', { document: doc, runId: 'gone', split: 'test', index: 0 }),
    ).rejects.toThrow('Those weights are not available any more')
  })
})
