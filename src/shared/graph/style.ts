import type { NetDocument } from './schema'

/**
 * Why connecting source → target would break a Sequential model's single chain, or null when it
 * would not (the connection may still be wrong for other reasons, which analyze reports).
 */
export function branchReason(doc: NetDocument, source: string, target: string): string | null {
  const name = (id: string) => doc.nodes.find((n) => n.id === id)?.name ?? id
  if (doc.edges.some((e) => e.source === source))
    return `${name(source)} already feeds a layer, and a Sequential model is a single chain.`
  if (doc.edges.some((e) => e.target === target))
    return `${name(target)} already has an input, and a Sequential model is a single chain.`
  return null
}

/** Whether a graph is one chain (each layer at most one input and one output, one Input layer, no reuse). */
export function isChain(doc: NetDocument): boolean {
  const ins = new Map<string, number>()
  const outs = new Map<string, number>()
  for (const e of doc.edges) {
    ins.set(e.target, (ins.get(e.target) ?? 0) + 1)
    outs.set(e.source, (outs.get(e.source) ?? 0) + 1)
  }
  const inputs = doc.nodes.filter((n) => n.className === 'InputLayer').length
  const shared = doc.nodes.some((n) => n.sharedWith !== undefined)
  return !shared && inputs <= 1 && [...ins.values(), ...outs.values()].every((c) => c <= 1)
}
