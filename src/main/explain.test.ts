// The canvas's and inspector's words for a layer: every palette case's parameter sum adds up to the
// count Keras prints (analyze's, checked against real Keras elsewhere), and the gist names its settings.
import { describe, expect, it } from 'vitest'
import { analyze, resolvedParams } from '../shared/graph/analyze'
import { formulaText, layerGist, paramFormula } from '../shared/layers/explain'
import { layerSpec } from '../shared/layers'
import { shapesDoc } from '../shared/testing'
import { CASES, docFor } from './trainer/layer-cases'

describe('a layer’s parameter count, written out', () => {
  it.each(CASES)('%s', (_label, input, className, params, second) => {
    const doc = docFor(input, className, params, false, second)
    const a = analyze(doc)
    const node = doc.nodes.find((n) => n.id === 'l')!
    const inputs = doc.edges
      .filter((e) => e.target === 'l')
      .sort((x, y) => x.targetPort - y.targetPort)
      .map((e) => a.nodes[e.source]!.outputShape!)
    const f = paramFormula(className, inputs, resolvedParams(layerSpec(className)!, node.params))
    const count = a.nodes.l!.params
    if (f === null) expect(count).toBe(0)
    else {
      expect(f.total).toBe(count)
      // The sum as written evaluates to the total (× and + only, with brackets).
      expect(Function(`return ${f.sum.replaceAll('×', '*')}`)()).toBe(count)
      expect(count - (a.nodes.l!.trainableParams ?? count)).toBe(f.nonTrainable ?? 0)
    }
  })

  it('reads as the decks write it for the default project', () => {
    const doc = shapesDoc()
    const a = analyze(doc)
    const dense = doc.nodes.find((n) => n.className === 'Dense')!
    const f = paramFormula('Dense', [[null, 784]], resolvedParams(layerSpec('Dense')!, dense.params))!
    expect(formulaText(f)).toBe('784 × 128 + 128 = 100,480')
    expect(a.nodes[dense.id]!.params).toBe(100_480)
    expect(
      formulaText(
        paramFormula('Conv2D', [[null, 28, 28, 1]], { filters: 32, kernel_size: [3, 3], use_bias: true })!,
      ),
    ).toBe('3 × 3 × 1 × 32 + 32 = 320')
    expect(paramFormula('LSTM', [[null, 200, 32]], { units: 32, use_bias: true })!.sum).toBe(
      '4 × ((32 + 32) × 32 + 32)',
    )
    expect(paramFormula('BatchNormalization', [[null, 8, 8, 16]], {})!.note).toContain('are not')
  })
})

describe('a layer’s settings at a glance', () => {
  it('names the activation, units, kernel, stride, padding and rate, leaving out what says nothing', () => {
    expect(layerGist('Dense', { units: 128, activation: 'relu', use_bias: true })).toBe('128 units · relu')
    expect(layerGist('Dense', { units: 3, activation: 'linear' })).toBe('3 units')
    expect(
      layerGist('Conv2D', {
        filters: 32,
        kernel_size: [3, 3],
        strides: [2, 2],
        padding: 'same',
        activation: 'relu',
      }),
    ).toBe('32 filters · 3×3 · stride 2×2 · same · relu')
    expect(layerGist('Conv2D', { filters: 8, kernel_size: [3, 3], strides: [1, 1], padding: 'valid' })).toBe(
      '8 filters · 3×3',
    )
    expect(layerGist('Dropout', { rate: 0.5 })).toBe('rate 0.5')
    expect(layerGist('MaxPooling2D', { pool_size: [2, 2], strides: null, padding: 'valid' })).toBe('pool 2×2')
    expect(layerGist('Bidirectional', { layer: 'LSTM', units: 32, return_sequences: false })).toBe(
      'LSTM · 32 units',
    )
  })
})

describe('the activation curves drawn in the inspector', () => {
  it('are Keras 3’s functions', async () => {
    const {
      ACTIVATION_CURVES: c,
      slope,
      TEACHING_CURVES,
    } = await import('../shared/layers/activation-curves')
    const near = (a: number, b: number) => expect(a).toBeCloseTo(b, 4)
    // The perceptron's step, drawn for comparison: 0 below 0, 1 from 0 on, flat on both sides.
    near(TEACHING_CURVES.step.f(-0.5), 0)
    near(TEACHING_CURVES.step.f(0), 1)
    near(slope(TEACHING_CURVES.step.f, 2), 0)
    near(c.relu.f(-1), 0)
    near(c.relu.f(2), 2)
    near(c.relu6.f(9), 6)
    near(c.sigmoid.f(0), 0.5)
    near(c.hard_sigmoid.f(0), 0.5)
    near(c.hard_sigmoid.f(1), 4 / 6)
    near(c.tanh.f(1), 0.761594)
    near(c.elu.f(-1), -0.632121)
    near(c.selu.f(-1), -1.111331)
    near(c.softplus.f(0), Math.LN2)
    near(c.softsign.f(1), 0.5)
    near(c.swish.f(1), 0.731059)
    near(c.mish.f(1), 0.865098)
    near(c.gelu.f(1), 0.841345)
    near(slope(c.sigmoid.f, 0), 0.25)
    near(slope(c.relu.f, 1), 1)
  })
})

describe('a new layer’s name', () => {
  it('is the one Keras gives it (conv2d, not conv2_d), numbered when taken', async () => {
    const { LAYERS, nextLayerName } = await import('../shared/layers')
    const names = Object.fromEntries(LAYERS.map((l) => [l.className, nextLayerName(l.className, [])]))
    expect(names).toMatchObject({
      InputLayer: 'input',
      Dense: 'dense',
      Conv2D: 'conv2d',
      Conv1D: 'conv1d',
      Conv2DTranspose: 'conv2d_transpose',
      MaxPooling2D: 'max_pooling2d',
      GlobalAveragePooling2D: 'global_average_pooling2d',
      UpSampling2D: 'up_sampling2d',
      SimpleRNN: 'simple_rnn',
      LSTM: 'lstm',
      GRU: 'gru',
      PReLU: 'p_re_lu',
      BatchNormalization: 'batch_normalization',
      SpatialDropout1D: 'spatial_dropout1d',
    })
    expect(nextLayerName('Conv2D', ['conv2d', 'conv2d_1'])).toBe('conv2d_2')
  })
})

describe('the convolution view’s arithmetic', () => {
  it('gives the decks’ 6 × 6 examples', async () => {
    const { windowStep } = await import('../shared/layers/conv-math')
    expect(windowStep(6, 3, 1, 'valid')).toMatchObject({ output: 4, sum: '⌊(6 − 3) / 1⌋ + 1 = 4' })
    expect(windowStep(6, 3, 2, 'valid').output).toBe(2)
    expect(windowStep(6, 3, 1, 'same')).toMatchObject({ output: 6, pad: [1, 1], sum: '⌈6 / 1⌉ = 6' })
    expect(windowStep(6, 3, 2, 'same')).toMatchObject({ output: 3, pad: [0, 1] })
    expect(windowStep(6, 2, 2, 'valid').output).toBe(3)
  })

  it.each(
    CASES.filter(([, , c]) =>
      /^(Conv[12]D|(Max|Average)Pooling[12]D|SeparableConv2D|DepthwiseConv2D)$/.test(c),
    ),
  )('agrees with the shape the layer gives: %s', async (_label, input, className, params) => {
    const { windowStep } = await import('../shared/layers/conv-math')
    const doc = docFor(input, className, params)
    const p = resolvedParams(layerSpec(className)!, doc.nodes.find((n) => n.id === 'l')!.params)
    const kernel = ((p.kernel_size ?? p.pool_size) as number[])!
    const strides = ((p.strides as number[] | null) ?? kernel) as number[]
    const out = analyze(doc).nodes.l!.outputShape!.slice(1, -1)
    expect(
      input
        .slice(0, -1)
        .map((d, i) => windowStep(d, kernel[i]!, strides[i]!, p.padding as 'valid' | 'same').output),
    ).toEqual(out)
  })
})
