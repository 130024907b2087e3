import { describe, expect, it } from 'vitest'
import {
  cellRows,
  classificationEvaluation,
  EvaluationSchema,
  evaluationText,
  regressionEvaluation,
  rowsWorstFirst,
} from './evaluation'

describe('evaluation', () => {
  // Five samples of three classes; the softmax rows pick 0, 1, 1, 2, 0.
  const actual = [0, 1, 2, 2, 0]
  const softmax = [0.7, 0.2, 0.1, 0.1, 0.8, 0.1, 0.2, 0.6, 0.2, 0.1, 0.1, 0.8, 0.5, 0.3, 0.2]
  const e = classificationEvaluation(actual, softmax, 3, ['a', 'b', 'c'], { loss: 0.5 }, 'out')

  it('counts the confusion matrix and derives accuracy, precision, recall and F1 from it', () => {
    expect(e.confusion).toEqual([
      [2, 0, 0],
      [0, 1, 0],
      [0, 1, 1],
    ])
    expect(e.metrics).toEqual({ loss: 0.5, accuracy: 4 / 5 })
    expect(e.predicted).toEqual([0, 1, 1, 2, 0])
    // b: predicted twice, right once; c: two samples, one found.
    expect(e.perClass![1]).toMatchObject({ precision: 0.5, recall: 1, support: 1 })
    expect(e.perClass![2]).toMatchObject({ precision: 1, recall: 0.5, support: 2 })
    expect(e.perClass![2]!.f1).toBeCloseTo(2 / 3)
    expect(e.probs).toHaveLength(15)
  })

  it('reads one sigmoid unit as two classes, with 0.5 as the threshold', () => {
    const b = classificationEvaluation([0, 1, 1], [0.2, 0.9, 0.4], 1, ['neg', 'pos'], {}, 'out')
    expect(b.confusion).toEqual([
      [1, 0],
      [1, 1],
    ])
    expect(b.probs).toEqual([0.8, 0.2, 0.1, 0.9, 0.6, 0.4])
  })

  it('finds the samples of a cell, and lists the confident mistakes first', () => {
    expect(cellRows(e, 2, 1)).toEqual([2])
    expect(cellRows(e, 0, 0)).toEqual([0, 4])
    expect(rowsWorstFirst(e)[0]).toBe(2) // the only mistake
    expect(rowsWorstFirst(e).slice(1)).toEqual([1, 3, 0, 4]) // then the right ones, most confident first (ties by order)
  })

  it('gives MAE and MSE for regression, and the largest errors first', () => {
    const r = regressionEvaluation([1, 2, 3], [1.5, 2, 1], { loss: 1 }, 'price')
    expect(r.metrics.mae).toBeCloseTo(2.5 / 3)
    expect(r.metrics.mse).toBeCloseTo(4.25 / 3)
    expect(rowsWorstFirst(r)).toEqual([2, 0, 1])
    expect(r.confusion).toBeUndefined()
  })

  it('prints Keras-like lines with the matrix and the per-class table', () => {
    const text = evaluationText(e)
    expect(text).toMatch(/^Evaluated on 5 test samples - loss: 0\.5000 - accuracy: 0\.8000/)
    expect(text).toContain('precision    recall  f1-score   support')
    expect(text.split('\n').find((l) => l.trim().startsWith('c '))).toMatch(/c\s+0\s+1\s+1/)
  })

  it('reads back only what a run.json may hold', () => {
    expect(EvaluationSchema.safeParse(JSON.parse(JSON.stringify(e))).success).toBe(true)
    expect(EvaluationSchema.safeParse({ ...e, confusion: [[-1]] }).success).toBe(false)
    expect(EvaluationSchema.safeParse({ ...e, actual: new Array(10_001).fill(0) }).success).toBe(false)
    expect(EvaluationSchema.safeParse({ ...e, split: 'train' }).success).toBe(false)
  })
})
