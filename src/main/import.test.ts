// Import of Keras model JSON and TensorFlow.js model.json: every template survives the round trip
// document → Keras config → document, and a model.json that tfjs itself saved opens as the same model.
import * as tf from '@tensorflow/tfjs'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { analyze, resolvedParams } from '../shared/graph/analyze'
import { parseDocument } from '../shared/graph/load'
import { toKerasConfig } from '../shared/keras/config'
import { fromKerasJson, openModelText } from '../shared/keras/import'
import { layerSpec } from '../shared/layers'
import type { NetDocument } from '../shared/graph/schema'
import { templatesDir } from './hosts/paths'

/** What must survive an import: layers (class, name, params) and connections (by name, in order). */
function graph(doc: NetDocument) {
  const name = new Map(doc.nodes.map((n) => [n.id, n.name]))
  return {
    style: doc.style,
    layers: doc.nodes
      .map((n) => ({
        className: n.className,
        name: n.name,
        params: resolvedParams(layerSpec(n.className)!, n.params),
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    edges: doc.edges.map((e) => `${name.get(e.source)}→${name.get(e.target)}:${e.targetPort}`).sort(),
  }
}

describe('import', () => {
  const templates = readdirSync(templatesDir()).filter((f) => f.endsWith('.netwright.json'))

  it.each(templates)('%s: document → Keras JSON → document keeps the graph', (file) => {
    const doc = parseDocument(readFileSync(join(templatesDir(), file), 'utf8'))
    const keras = JSON.parse(JSON.stringify(toKerasConfig(doc)))
    const back = fromKerasJson(keras)
    expect(back.warnings).toEqual([])
    expect(graph(back.document)).toEqual(graph(doc))
    expect(analyze(back.document).totalParams).toBe(analyze(doc).totalParams)
  })

  it('opens a model.json that TensorFlow.js saved, with its training config', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({
          inputShape: [12, 12, 1],
          filters: 4,
          kernelSize: 3,
          activation: 'relu',
          name: 'conv',
        }),
        tf.layers.maxPooling2d({ poolSize: 2, name: 'pool' }),
        tf.layers.flatten({ name: 'flat' }),
        tf.layers.dense({ units: 5, activation: 'softmax', name: 'out' }),
      ],
    })
    model.compile({
      optimizer: tf.train.rmsprop(0.01),
      loss: 'categoricalCrossentropy',
      metrics: ['accuracy'],
    })
    let artifacts: tf.io.ModelArtifacts | undefined
    await model.save(
      tf.io.withSaveHandler(
        async (a) => (
          (artifacts = a),
          { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }
        ),
      ),
    )
    const modelJson = JSON.stringify({
      format: 'layers-model',
      modelTopology: artifacts!.modelTopology,
      trainingConfig: artifacts!.trainingConfig,
      weightsManifest: [],
    })
    const { document, warnings } = openModelText(modelJson, 'model.json')
    expect(warnings).toEqual([])
    const a = analyze(document)
    expect(a.problems).toEqual([])
    expect(a.totalParams).toBe(model.countParams())
    expect(document.nodes.map((n) => n.className)).toEqual([
      'InputLayer',
      'Conv2D',
      'MaxPooling2D',
      'Flatten',
      'Dense',
    ])
    expect(document.nodes.find((n) => n.name === 'conv')!.params).toMatchObject({
      filters: 4,
      kernel_size: [3, 3],
      activation: 'relu',
    })
    model.dispose()
  })

  it('reads the training config of a Keras model.json (loss and optimizer in Keras spelling)', () => {
    const doc = parseDocument(readFileSync(join(templatesDir(), 'boston-regressor.netwright.json'), 'utf8'))
    const json = {
      modelTopology: {
        model_config: toKerasConfig(doc),
        training_config: {
          loss: 'mse',
          metrics: ['mae'],
          optimizer_config: { class_name: 'SGD', config: { learning_rate: 0.05 } },
        },
      },
    }
    const { document } = fromKerasJson(json)
    expect(document.compile).toEqual({
      optimizer: 'sgd',
      learningRate: 0.05,
      loss: 'mean_squared_error',
      metrics: ['mae'],
    })
  })

  it('reads a Keras 3 functional config (keras_tensor inbound nodes) and lays it out', () => {
    const t = (name: string) => ({
      class_name: '__keras_tensor__',
      config: { shape: [null, 4], dtype: 'float32', keras_history: [name, 0, 0] },
    })
    const json = {
      class_name: 'Functional',
      config: {
        name: 'k3',
        layers: [
          {
            class_name: 'InputLayer',
            name: 'a',
            config: { batch_shape: [null, 4], dtype: 'float32', name: 'a' },
            inbound_nodes: [],
          },
          {
            class_name: 'InputLayer',
            name: 'b',
            config: { batch_shape: [null, 4], dtype: 'float32', name: 'b' },
            inbound_nodes: [],
          },
          {
            class_name: 'Add',
            name: 'add',
            config: { name: 'add' },
            inbound_nodes: [{ args: [[t('a'), t('b')]], kwargs: {} }],
          },
          {
            class_name: 'Dense',
            name: 'out',
            config: { name: 'out', units: 2, activation: 'softmax' },
            inbound_nodes: [{ args: [t('add')], kwargs: {} }],
          },
        ],
        input_layers: [
          ['a', 0, 0],
          ['b', 0, 0],
        ],
        output_layers: [['out', 0, 0]],
      },
    }
    const { document } = fromKerasJson(json)
    const a = analyze(document)
    expect(a.problems).toEqual([])
    expect(a.nodes.out!.outputShape).toEqual([null, 2])
    const pos = Object.fromEntries(document.nodes.map((n) => [n.name, n.position]))
    expect(pos.add!.y).toBeGreaterThan(pos.a!.y)
    expect(pos.a!.x).not.toBe(pos.b!.x)
  })

  it('says what it could not carry over', () => {
    const json = {
      class_name: 'Sequential',
      config: {
        name: 's',
        layers: [
          {
            class_name: 'Conv2D',
            config: {
              name: 'c',
              batch_input_shape: [null, 9, 9, 1],
              filters: 2,
              kernel_size: [3, 3],
              dilation_rate: [2, 2],
            },
          },
          { class_name: 'Lambda', config: { name: 'lam' } },
        ],
      },
    }
    const { document, warnings } = fromKerasJson(json)
    expect(warnings).toEqual([
      'c: dilation_rate [2,2] is not supported (TensorFlow.js cannot train it); it was set to 1.',
      'lam: the layer type Lambda is not supported; it is shown so you can replace it.',
    ])
    expect(analyze(document).nodes.lam!.errors[0]).toContain('Unknown layer type "Lambda"')
  })

  it('refuses what is not a model, saying so', () => {
    expect(() => openModelText('{"hello": 1}', 'x.json')).toThrow(
      'x.json is not a Netwright project, a Keras model JSON or a TensorFlow.js model.json.',
    )
    expect(() =>
      openModelText(
        '{"class_name": "Sequential", "config": {"layers": [{"class_name": "Dense", "config": {}}]}}',
      ),
    ).toThrow('the first layer has no input shape')
  })

  it('says a TensorFlow.js graph model holds operations, not layers', () => {
    // The shape tensorflowjs_converter writes for a SavedModel or frozen graph.
    const graph = {
      format: 'graph-model',
      generatedBy: '2.15.0',
      convertedBy: 'TensorFlow.js Converter v4.22.0',
      modelTopology: { node: [{ name: 'x', op: 'Placeholder' }], library: {}, versions: { producer: 1 } },
      weightsManifest: [],
    }
    expect(() => openModelText(JSON.stringify(graph), 'model.json')).toThrow(
      /model.json is a TensorFlow.js graph model: .* not of Keras layers/,
    )
  })
})
