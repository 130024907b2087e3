import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { repeatedBlocks } from '../shared/graph/repeats'

const chain = (...classes: string[]) => classes.map((className, i) => ({ id: `l${i}`, className }))
const template = (name: string) =>
  (
    JSON.parse(readFileSync(join('resources', 'templates', `${name}.netwright.json`), 'utf8')) as {
      nodes: { id: string; className: string }[]
    }
  ).nodes

describe('repeated blocks in a chain', () => {
  it('finds ShallowVGGNet’s two convolution blocks as one fold of 12 layers', () => {
    const blocks = repeatedBlocks(template('shallow-vggnet'))
    expect(blocks).toHaveLength(1)
    expect(blocks[0]!.unit).toEqual([
      'Conv2D',
      'BatchNormalization',
      'Conv2D',
      'BatchNormalization',
      'MaxPooling2D',
      'Dropout',
    ])
    expect(blocks[0]!.times).toBe(2)
    expect(blocks[0]!.layers).toHaveLength(12)
    expect(blocks[0]!.id).toBe(`fold:${blocks[0]!.layers[0]}`)
  })

  it('folds the fashion CNN’s Conv2D → MaxPooling2D twice, and nothing worth less than four layers', () => {
    expect(repeatedBlocks(template('fashion-mnist-cnn')).map((b) => [b.unit, b.times])).toEqual([
      [['Conv2D', 'MaxPooling2D'], 2],
    ])
    expect(repeatedBlocks(template('mnist-mlp'))).toEqual([])
    expect(repeatedBlocks(chain('Dense', 'Dense', 'Dense'))).toEqual([])
    // Four of one kind fold; the longest fold wins, blocks never overlap.
    expect(
      repeatedBlocks(chain('InputLayer', 'Dense', 'Dense', 'Dense', 'Dense', 'Dropout'))[0],
    ).toMatchObject({
      unit: ['Dense'],
      times: 4,
      layers: ['l1', 'l2', 'l3', 'l4'],
    })
    const two = repeatedBlocks(chain('A', 'B', 'A', 'B', 'C', 'D', 'C', 'D', 'C', 'D'))
    expect(two.map((b) => [b.unit.join(''), b.times])).toEqual([
      ['AB', 2],
      ['CD', 3],
    ])
  })
})
