import { describe, expect, it } from 'vitest'
import { MT19937, numpyShuffledIndices } from './randomstate'

// Expected values printed by numpy 2.4 (np.random.RandomState(seed).shuffle(np.arange(n))).
describe("numpy's RandomState", () => {
  it('shuffles exactly as numpy does', () => {
    expect(Array.from(numpyShuffledIndices(10, 113))).toEqual([9, 3, 6, 1, 0, 7, 4, 8, 2, 5])
    const boston = Array.from(numpyShuffledIndices(506, 113))
    expect(boston.slice(0, 12)).toEqual([22, 202, 368, 335, 461, 323, 382, 143, 146, 141, 402, 412])
    expect(boston.slice(-5)).toEqual([364, 74, 162, 220, 165])
    expect(Array.from(numpyShuffledIndices(100_000, 5).subarray(0, 6))).toEqual([
      60743, 33949, 52805, 11804, 9229, 49950,
    ])
  })

  it('draws the same 32-bit numbers as MT19937 seeded with init_genrand', () => {
    // RandomState(113).randint(0, 2**31) is the first output masked to 31 bits (numpy masks, it does not shift).
    expect(new MT19937(113).nextUint32() & 0x7fffffff).toBe(1511766181)
  })
})
