// The live decision boundary of a model of two features: at every epoch's end, the model's class over
// a grid of the data's plane, row by row from the top; none for other data.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseDocument } from '../../shared/graph/load'
import type { DecisionBoundary } from '../../shared/ipc/contract'
import { toKerasConfig } from '../../shared/keras/config'
import { loadDataset } from '../datasets/builtins'
import { templatesDir } from '../hosts/paths'
import { chooseBackend } from './backends'
import { boundaryGrid } from './boundary'
import { disposeModel, train } from './engine'

const firstExample = parseDocument(
  readFileSync(join(templatesDir(), 'keras-first-example.netwright.json'), 'utf8'),
)

describe('the live teaching views: the decision boundary and the gradients', async () => {
  const { tf } = await chooseBackend()

  it('comes with every epoch of a two-feature model and shows what it learned (XOR: the quadrants)', async () => {
    const data = loadDataset('xor', { count: 600 }, 3)
    const seen: DecisionBoundary[] = []
    const r = await train(
      tf,
      {
        modelConfig: toKerasConfig(firstExample),
        compile: { ...firstExample.compile, learningRate: 0.02 },
        training: { ...firstExample.training, epochs: 25, batchSize: 32, validationSplit: 0.2 },
      },
      data,
      { onEpoch: (p) => void seen.push(p.boundary!) },
    )
    disposeModel(r.model)
    expect(seen).toHaveLength(25)
    const last = seen.at(-1)!
    expect(last.size).toBe(48)
    expect(last.classes).toHaveLength(48 * 48)
    expect(last.confidence.every((c) => c >= 0 && c <= 1)).toBe(true)
    // The grid covers the points with a margin.
    expect(last.x[0]).toBeLessThan(-0.9)
    expect(last.x[1]).toBeGreaterThan(0.9)
    // Row 0 is the top (y high): top-right is "same sign" (class 0), top-left "opposite signs" (1).
    const at = (row: number, col: number) => last.classes[row * 48 + col]
    expect(r.final.val_accuracy).toBeGreaterThan(0.8)
    expect([at(8, 40), at(40, 8)]).toEqual([0, 0])
    expect([at(8, 8), at(40, 40)]).toEqual([1, 1])
    // It moved while training: the first epoch's picture is not the last's.
    expect(seen[0]!.classes).not.toEqual(last.classes)
  })

  it('is not drawn for data of more than two features, or for regression', () => {
    expect(boundaryGrid(loadDataset('shapes', { count: 30 }, 1))).toBeUndefined()
    const points = loadDataset('spirals', { count: 40 }, 1)
    expect(boundaryGrid(points)).toBeDefined()
    expect(boundaryGrid({ ...points, task: 'regression' })).toBeUndefined()
  })

  it('comes with each layer’s gradient size at every epoch, for the layers that train', async () => {
    const data = loadDataset('xor', { count: 200 }, 3)
    const doc = structuredClone(firstExample)
    doc.nodes.find((n) => n.name === 'dense_1')!.trainable = false
    const seen: { layer: string; norm: number }[][] = []
    const r = await train(
      tf,
      {
        modelConfig: toKerasConfig(doc),
        compile: firstExample.compile,
        training: { ...firstExample.training, epochs: 3, batchSize: 32, validationSplit: 0.2 },
      },
      data,
      { onEpoch: (p) => void seen.push(p.gradients!) },
    )
    disposeModel(r.model)
    expect(seen).toHaveLength(3)
    // The frozen layer has no trainable weights, so no gradient; the others a positive, finite one.
    for (const g of seen) {
      expect(g.map((x) => x.layer)).toEqual(['dense', 'dense_2'])
      for (const x of g) expect(x.norm > 0 && Number.isFinite(x.norm)).toBe(true)
    }
    expect(seen[0]![0]!.norm).not.toBe(seen[2]![0]!.norm)
  })
})
