// Repeated blocks in a chain of layers, for the canvas to fold: ShallowVGGNet's two
// [Conv2D → BatchNormalization → Conv2D → BatchNormalization → MaxPooling2D → Dropout] blocks become
// one "×2" node. Blocks repeat by layer type (their filters or units may differ, as VGG's do).

export interface RepeatedBlock {
  /** The fold's id on the canvas: `fold:` and the first layer's id. */
  id: string
  /** Every layer folded, in order (`times` × the unit's length). */
  layers: string[]
  /** The layer types of one repetition. */
  unit: string[]
  times: number
}

/** The longest unit a block may have, and the fewest layers a fold must hide to be worth it. */
const MAX_UNIT = 8
const MIN_FOLDED = 4

/**
 * The repeated blocks along `order` (a chain's layers, first to last), left to right, none
 * overlapping: at each layer, the unit and count that fold the most layers (the shorter unit on a
 * tie), where at least four layers fold.
 */
export function repeatedBlocks(order: readonly { id: string; className: string }[]): RepeatedBlock[] {
  const out: RepeatedBlock[] = []
  const same = (a: number, b: number, k: number) => {
    for (let j = 0; j < k; j++) if (order[a + j]?.className !== order[b + j]?.className) return false
    return true
  }
  let i = 0
  while (i < order.length) {
    let best: { k: number; times: number } | null = null
    for (let k = 1; k <= MAX_UNIT && i + 2 * k <= order.length; k++) {
      let times = 1
      while (i + (times + 1) * k <= order.length && same(i, i + times * k, k)) times++
      if (times >= 2 && k * times >= MIN_FOLDED && (!best || k * times > best.k * best.times))
        best = { k, times }
    }
    if (!best) {
      i++
      continue
    }
    const layers = order.slice(i, i + best.k * best.times)
    out.push({
      id: `fold:${layers[0]!.id}`,
      layers: layers.map((l) => l.id),
      unit: layers.slice(0, best.k).map((l) => l.className),
      times: best.times,
    })
    i += best.k * best.times
  }
  return out
}
