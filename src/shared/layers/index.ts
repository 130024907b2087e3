import { Activation, Dense, Dropout, Flatten, Input } from './core'
import type { LayerSpec } from './define'
import type { Params } from './params'

export * from './define'
export * from './params'

/** Every layer the app offers, in palette order. Adding a layer is adding it here. */
export const LAYERS: readonly LayerSpec[] = [Input, Dense, Activation, Dropout, Flatten]

const byName = new Map(LAYERS.map((l) => [l.className, l]))

/** The spec for a Keras class name, or undefined for a layer the app does not know. */
export const layerSpec = (className: string): LayerSpec | undefined => byName.get(className)

/** A layer's default parameters. */
export function defaultParams(spec: LayerSpec): Params {
  return Object.fromEntries(Object.entries(spec.params).map(([k, p]) => [k, structuredClone(p.default)]))
}

/** The name a new layer of this class gets in the document, Keras style (dense, dense_1, ...). */
export function nextLayerName(className: string, taken: Iterable<string>): string {
  const base =
    className === 'InputLayer' ? 'input' : className.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase()
  const used = new Set(taken)
  if (!used.has(base)) return base
  for (let i = 1; ; i++) if (!used.has(`${base}_${i}`)) return `${base}_${i}`
}
