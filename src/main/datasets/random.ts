/** mulberry32: a small, fast, seedable PRNG, so built-in datasets are the same on every machine. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A standard normal sample (Box-Muller) from a uniform generator. */
export function gaussian(rand: () => number): number {
  const u = 1 - rand()
  const v = rand()
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
}

/**
 * Math.random drawn from `seed` until the returned function puts it back. tfjs takes every random
 * number a run needs from it where the model gives no seed of its own — initial weights, dropout
 * masks, noise layers — and the trainer's shuffling does too, so one run at a time per trainer
 * gives the same run from the same document, seed and backend.
 */
export function seedMathRandom(seed: number): () => void {
  const original = Math.random
  Math.random = mulberry32(Math.imul(seed, 0x2545f491) ^ 0x9e3779b9)
  return () => {
    Math.random = original
  }
}
