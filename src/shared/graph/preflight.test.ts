import { describe, expect, it } from 'vitest'
import { shapesDoc } from '../testing'
import { analyze } from './analyze'
import { preflight, withChecks, type DataFacts } from './preflight'
import type { NetDocument } from './schema'

const shapes: DataFacts = {
  id: 'shapes',
  task: 'classification',
  classes: ['circle', 'square', 'triangle'],
  sampleShape: [28, 28],
}
const boston: DataFacts = { id: 'boston_housing', task: 'regression', classes: [], sampleShape: [13] }
const check = (doc: NetDocument, data: DataFacts) => preflight(doc, analyze(doc), data)
const output = (doc: NetDocument) => doc.nodes.find((n) => n.name === 'dense_1')!

describe('pre-flight checks (the model against its dataset, before Train)', () => {
  it('pass the default template on its dataset', () => {
    expect(check(shapesDoc(), shapes)).toEqual([])
  })

  it("the output's units against the dataset's classes, on the output node", () => {
    const doc = shapesDoc()
    output(doc).params.units = 32
    const [c] = check(doc, shapes)
    expect(c).toMatchObject({ nodeId: output(doc).id, rule: 'output-units', severity: 'error' })
    expect(c!.message).toBe(
      'The dataset has 3 classes, but this layer outputs 32 values per sample. Set units to 3.',
    )
    // binary_crossentropy on two classes: one sigmoid unit fits as well as two.
    doc.compile.loss = 'binary_crossentropy'
    output(doc).params.units = 1
    output(doc).params.activation = 'sigmoid'
    expect(check(doc, { ...shapes, classes: ['a', 'b'] })).toEqual([])
    // A regression dataset wants one number.
    doc.compile.loss = 'mean_squared_error'
    output(doc).params.units = 3
    output(doc).params.activation = 'linear'
    expect(check(doc, boston).find((x) => x.rule === 'output-units')!.message).toBe(
      '"boston_housing" predicts one number per sample, but this layer outputs 3. Set units to 1.',
    )
  })

  it('the activation against the loss: softmax for categorical losses, sigmoid for binary, linear for regression', () => {
    const doc = shapesDoc()
    output(doc).params.activation = 'relu'
    expect(check(doc, shapes)).toEqual([
      expect.objectContaining({
        rule: 'activation-loss',
        severity: 'warning',
        message:
          'sparse_categorical_crossentropy expects probabilities that add up to 1: give this layer the softmax activation (it has relu).',
      }),
    ])
    doc.compile.loss = 'binary_crossentropy'
    output(doc).params.units = 1
    output(doc).params.activation = 'softmax'
    expect(check(doc, { ...shapes, classes: ['a', 'b'] })[0]!.message).toMatch(
      /^binary_crossentropy expects .* sigmoid activation \(it has softmax\)/,
    )
    doc.compile.loss = 'mean_squared_error'
    output(doc).params.activation = 'sigmoid'
    expect(check(doc, { ...boston, sampleShape: [28, 28] })[0]!.message).toBe(
      'A regression output predicts any number: leave this layer without an activation (linear), not sigmoid.',
    )
    // A classification loss on a regression dataset is an error.
    doc.compile.loss = 'sparse_categorical_crossentropy'
    expect(
      check(doc, { ...boston, sampleShape: [28, 28] }).some(
        (c) => c.severity === 'error' && /is a regression task/.test(c.message),
      ),
    ).toBe(true)
  })

  it("the Input against the samples' shape, on the Input node", () => {
    const doc = shapesDoc()
    const input = doc.nodes.find((n) => n.className === 'InputLayer')!
    input.params.shape = [32]
    const [c] = check(doc, shapes)
    expect(c).toMatchObject({ nodeId: input.id, rule: 'input-shape', severity: 'error' })
    expect(c!.message).toBe(
      '"shapes" gives samples of shape [28, 28] (784 values), but this Input takes [32]. Set its shape to [28, 28].',
    )
    // The same values in another shape are reshaped, as training does.
    input.params.shape = [784]
    expect(check(doc, shapes)).toEqual([])
  })

  it('errors make the analysis not ok and land on their node; warnings do neither', () => {
    const doc = shapesDoc()
    output(doc).params.units = 32
    const a = analyze(doc)
    const w = withChecks(a, preflight(doc, a, shapes))
    expect(w.ok).toBe(false)
    expect(w.nodes[output(doc).id]!.errors).toHaveLength(1)
    output(doc).params.units = 3
    output(doc).params.activation = 'relu'
    const b = analyze(doc)
    expect(withChecks(b, preflight(doc, b, shapes)).ok).toBe(true)
  })
})
