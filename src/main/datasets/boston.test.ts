import { zipSync } from 'fflate'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { toKerasConfig } from '../../shared/keras/config'
import { parseDocument } from '../../shared/graph/load'
import { templatesDir } from '../hosts/paths'
import { chooseBackend } from '../trainer/backends'
import { disposeModel, train } from '../trainer/engine'
import { readBoston } from './boston'
import { writeNpy } from './npy'
import { readFileSync } from 'node:fs'

/** A boston_housing.npz in Keras's layout: x (506 × 13 float64) and y (506 float64). Row r is recognisable. */
function bostonCache(): string {
  const x = new Float64Array(506 * 13).map((_, i) => Math.floor(i / 13) * 100 + (i % 13))
  const y = new Float64Array(506).map((_, r) => 10 + r / 10)
  const dir = mkdtempSync(join(tmpdir(), 'boston-'))
  writeFileSync(
    join(dir, 'boston_housing.npz'),
    zipSync({ 'x.npy': writeNpy([506, 13], x, '<f8'), 'y.npy': writeNpy([506], y, '<f8') }),
  )
  return dir
}

describe('Boston Housing', () => {
  it("gives Keras's training split: RandomState(113) order, first 404 rows", async () => {
    const d = await readBoston(bostonCache(), { standardize: false })
    expect(d.task).toBe('regression')
    expect(d.y.length).toBe(404)
    // numpy: RandomState(113).shuffle(arange(506)) starts 22, 202, 368.
    expect(Array.from(d.y.subarray(0, 3)).map((v) => Math.round((v - 10) * 10))).toEqual([22, 202, 368])
    expect(Array.from(d.x.subarray(13, 16))).toEqual([20200, 20201, 20202])
  })

  it('standardizes features with the training rows’ statistics by default', async () => {
    const d = await readBoston(bostonCache())
    const col = Array.from({ length: 404 }, (_, i) => d.x[i * 13 + 5]!)
    expect(col.reduce((a, b) => a + b, 0) / 404).toBeCloseTo(0, 4)
    expect(Math.sqrt(col.reduce((a, b) => a + b * b, 0) / 404)).toBeCloseTo(1, 4)
  })

  it('trains the Boston regressor template (mean squared error, mae) and refuses a classification loss', async () => {
    const doc = parseDocument(readFileSync(join(templatesDir(), 'boston-regressor.netwright.json'), 'utf8'))
    const data = await readBoston(bostonCache())
    const { tf } = await chooseBackend('wasm')
    const r = await train(
      tf,
      { modelConfig: toKerasConfig(doc), compile: doc.compile, training: { ...doc.training, epochs: 2 } },
      data,
    )
    disposeModel(r.model)
    expect(r.final).toHaveProperty('val_loss')
    expect(Object.keys(r.final).some((k) => /mae|mean_absolute/i.test(k))).toBe(true)
    await expect(
      train(
        tf,
        {
          modelConfig: toKerasConfig(doc),
          compile: { ...doc.compile, loss: 'binary_crossentropy' },
          training: doc.training,
        },
        data,
      ),
    ).rejects.toThrow('"boston_housing" is a regression task')
  })
})
