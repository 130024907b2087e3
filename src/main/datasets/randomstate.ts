// numpy's legacy RandomState (MT19937 seeded with init_genrand) and its shuffle, reproduced so that
// Keras's splits (Boston Housing and Reuters shuffle with RandomState(113)) come out identical here.

export class MT19937 {
  private mt = new Uint32Array(624)
  private index = 624

  constructor(seed: number) {
    this.mt[0] = seed >>> 0
    for (let i = 1; i < 624; i++) {
      const prev = this.mt[i - 1]! ^ (this.mt[i - 1]! >>> 30)
      // 1812433253 * prev + i, in 32 bits without losing precision.
      this.mt[i] =
        (((((prev & 0xffff0000) >>> 16) * 1812433253) << 16) + (prev & 0x0000ffff) * 1812433253 + i) >>> 0
    }
  }

  private twist(): void {
    const mt = this.mt
    for (let i = 0; i < 624; i++) {
      const y = (mt[i]! & 0x80000000) | (mt[(i + 1) % 624]! & 0x7fffffff)
      mt[i] = mt[(i + 397) % 624]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0)
    }
    this.index = 0
  }

  /** The next 32-bit output (genrand_int32). */
  nextUint32(): number {
    if (this.index >= 624) this.twist()
    let y = this.mt[this.index++]!
    y ^= y >>> 11
    y ^= (y << 7) & 0x9d2c5680
    y ^= (y << 15) & 0xefc60000
    y ^= y >>> 18
    return y >>> 0
  }
}

/** numpy's random_interval: a uniform integer in [0, max], by masked rejection (max < 2^32). */
function interval(rng: MT19937, max: number): number {
  if (max === 0) return 0
  let mask = max
  mask |= mask >>> 1
  mask |= mask >>> 2
  mask |= mask >>> 4
  mask |= mask >>> 8
  mask |= mask >>> 16
  mask >>>= 0
  let value: number
  do value = (rng.nextUint32() & mask) >>> 0
  while (value > max)
  return value
}

/** The permutation `np.random.RandomState(seed).shuffle(np.arange(n))` gives. */
export function numpyShuffledIndices(n: number, seed: number): Uint32Array {
  return numpyShuffledIndicesFrom(new MT19937(seed), n)
}

/** The next shuffle of `arange(n)` from a generator already in use (Keras shuffles train, then test). */
export function numpyShuffledIndicesFrom(rng: MT19937, n: number): Uint32Array {
  const a = Uint32Array.from({ length: n }, (_, i) => i)
  for (let i = n - 1; i > 0; i--) {
    const j = interval(rng, i)
    const t = a[i]!
    a[i] = a[j]!
    a[j] = t
  }
  return a
}
