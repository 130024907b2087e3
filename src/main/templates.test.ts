// Every template opens, has no problem, and has the parameter total Keras gives for the same model;
// tfjs builds it from our Keras config with the same count.
import * as tf from '@tensorflow/tfjs'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { analyze } from '../shared/graph/analyze'
import { parseDocument } from '../shared/graph/load'
import { toKerasConfig } from '../shared/keras/config'
import { templatesDir } from './hosts/paths'

const KERAS_TOTALS: Record<string, [total: number, nonTrainable: number]> = {
  'shapes-mlp': [100_867, 0],
  'keras-first-example': [149, 0],
  'mnist-mlp': [407_050, 0],
  'shallow-vggnet': [2_171_178, 1_408],
  'fashion-mnist-cnn': [34_826, 0],
  'boston-regressor': [5_121, 0],
  'residual-block': [5_371, 0],
  'two-inputs': [443, 0],
  'imdb-lstm': [328_353, 0],
  'imdb-bidirectional-lstm': [336_705, 0],
}

describe('templates', () => {
  const files = readdirSync(templatesDir()).filter((f) => f.endsWith('.netwright.json'))

  it('has a known total for every template file', () => {
    expect(files.map((f) => f.replace('.netwright.json', '')).sort()).toEqual(
      Object.keys(KERAS_TOTALS).sort(),
    )
  })

  it.each(Object.entries(KERAS_TOTALS))(
    '%s has %j parameters (total, non-trainable)',
    async (name, [total, nonTrainable]) => {
      const doc = parseDocument(readFileSync(join(templatesDir(), `${name}.netwright.json`), 'utf8'))
      expect(doc.description).toBeTruthy()
      const a = analyze(doc)
      expect(a.problems).toEqual([])
      expect(a.totalParams).toBe(total)
      expect(a.nonTrainableParams).toBe(nonTrainable)
      const model = await tf.models.modelFromJSON({ modelTopology: toKerasConfig(doc, a) as never })
      expect(model.countParams()).toBe(total)
      model.dispose()
    },
  )
})
