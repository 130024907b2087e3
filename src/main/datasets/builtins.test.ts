import { describe, expect, it } from 'vitest'
import { loadDataset, makeShapes } from './builtins'

describe('built-in datasets', () => {
  it('generates the same shapes from the same seed, and others from another', () => {
    const a = makeShapes({ count: 30 }, 7)
    const b = makeShapes({ count: 30 }, 7)
    const c = makeShapes({ count: 30 }, 8)
    expect(a.x).toEqual(b.x)
    expect(a.y).toEqual(b.y)
    expect(a.x).not.toEqual(c.x)
  })

  it('has balanced classes, pixel values in [0, 1] and ink in every image', () => {
    const d = makeShapes({ count: 300 }, 1)
    expect(d.sampleShape).toEqual([28, 28])
    const counts = [0, 0, 0]
    for (const y of d.y) counts[y]!++
    expect(counts).toEqual([100, 100, 100])
    expect(d.x.every((v) => v >= 0 && v <= 1)).toBe(true)
    for (let i = 0; i < 300; i++) {
      const img = d.x.subarray(i * 784, (i + 1) * 784)
      expect(img.filter((v) => v > 0.8).length).toBeGreaterThan(20)
    }
  })

  it('makes spirals of 2-D points', () => {
    const d = loadDataset('spirals', { count: 100, arms: 3 }, 1)
    expect(d.sampleShape).toEqual([2])
    expect(d.x.length).toBe(200)
    expect(d.classes).toHaveLength(3)
  })

  it('names the known datasets when asked for an unknown one', () => {
    expect(() => loadDataset('mnist2', {}, 1)).toThrow(
      'There is no built-in dataset "mnist2". The built-ins are: shapes, shapes-measured, spirals, xor, moons, circles.',
    )
  })

  it.each([
    ['xor', (x: number, y: number) => (x * y < 0 ? 1 : 0)],
    ['moons', (_x: number, y: number) => (y < 0.25 ? 1 : 0)],
    ['circles', (x: number, y: number) => (Math.hypot(x, y) < 0.75 ? 1 : 0)],
  ])('makes %s: 2-D points a simple rule separates, the same from the same seed', (id, rule) => {
    const d = loadDataset(id, { count: 400, noise: 0 }, 3)
    expect(d.sampleShape).toEqual([2])
    expect(d.classes).toHaveLength(2)
    const agree = Array.from(d.y).filter((c, i) => rule(d.x[2 * i]!, d.x[2 * i + 1]!) === c).length
    expect(agree / d.y.length).toBeGreaterThan(id === 'moons' ? 0.8 : 0.99)
    const counts = [0, 1].map((c) => Array.from(d.y).filter((v) => v === c).length)
    expect(Math.min(...counts)).toBeGreaterThan(150)
    expect(loadDataset(id, { count: 400, noise: 0 }, 3).x).toEqual(d.x)
    expect(loadDataset(id, { count: 400, noise: 0 }, 4).x).not.toEqual(d.x)
  })

  it('checks options: a wrong type or an out-of-range value is named, not ignored', () => {
    expect(() => loadDataset('shapes', { count: 'many' }, 1)).toThrow(
      'The dataset "shapes" setting "Samples" must be a number, not "many".',
    )
    expect(() => loadDataset('spirals', { arms: 9 }, 1)).toThrow('"Arms" must be between 2 and 5, not 9')
    expect(loadDataset('shapes', { count: 30, flatten: true }, 1).sampleShape).toEqual([784])
  })
})
