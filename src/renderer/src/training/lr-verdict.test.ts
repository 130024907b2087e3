import { describe, expect, it } from 'vitest'
import type { LearningRateSweep } from '../../../shared/ipc/contract'
import { sweepVerdict, yRange } from './lr-verdict'

/** A made-up test: flat near 1.2, falling from 1e-4 to its lowest at 1e-1, then blowing up. */
function sweep(current: number): LearningRateSweep {
  const points = Array.from({ length: 61 }, (_, i) => {
    const lr = 1e-6 * 10 ** (i / 10)
    const e = Math.log10(lr)
    const smoothed = e < -4 ? 1.2 : e <= -1 ? 1.2 - ((e + 4) / 3) * 0.8 : 0.4 + (e + 1) * 8
    return { lr, loss: smoothed, smoothed }
  })
  return { points, suggestion: 1e-2, current, divergedAt: 0.3, from: 1e-6, to: 1 }
}

describe('what the learning-rate test says', () => {
  it('says where learning starts, where it falls fastest, where it blows up, and where the project’s rate sits', () => {
    const v = sweepVerdict(sweep(1e-3))
    expect(v).toMatch(/^Below about 2\.5e−4 the steps are too small/)
    expect(v).toContain('The loss falls fastest around 1.0e−2.')
    expect(v).toContain('From about 3.0e−1 it blows up: too large a step.')
    expect(v).toContain('Yours is 1.0e−3, 10× below the fastest fall: a slower, steadier start.')
    expect(sweepVerdict(sweep(1e-2))).toContain('Yours is 1.0e−2: near the fastest fall.')
    expect(sweepVerdict(sweep(5e-2))).toContain('above the fastest fall: a quicker but noisier start.')
    expect(sweepVerdict(sweep(0.2))).toContain('at the edge of where it blows up; lower it.')
    expect(sweepVerdict({ ...sweep(1e-3), suggestion: null, divergedAt: null })).toBe(
      'The loss never fell over the rates tried. Yours is 1.0e−3.',
    )
  })

  it('keeps a blow-up from flattening the chart: the loss axis ends a little above the start', () => {
    const [lo, hi] = yRange(sweep(1e-3))
    expect(lo).toBeCloseTo(0.32, 3)
    expect(hi).toBeCloseTo(1.5, 3)
  })
})
