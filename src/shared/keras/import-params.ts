// A Keras layer config's settings as a node's params: what the layer spec reads, Keras 3's names for
// them (negative_slope, silu, uneven paddings), and a warning for every other setting (unread.ts).
import { showValue } from '../json-limits'
import { layerSpec, type ParamValue } from '../layers'
import { unreadSettings } from './unread'

type Json = Record<string, unknown>
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

/** A layer's params in our form, from its Keras config; what does not map is reported. */
export function paramsFrom(
  className: string,
  name: string,
  c: Json,
  warn: (m: string) => void,
): Record<string, unknown> {
  const spec = layerSpec(className)
  if (!spec) return {}
  const p: Record<string, unknown> = {}
  // The keys used, so that every other setting is either neutral or reported (unread.ts).
  const read = new Set<string>(typeof c.trainable === 'boolean' ? ['trainable'] : [])
  for (const key of Object.keys(spec.params))
    if (key in c) {
      p[key] = c[key] as ParamValue
      read.add(key)
    }
  /** A wrapped layer's settings beyond those read, reported as the wrapper's. */
  const unreadInner = (inner: Json, ic: Json, keys: string[], fixed: Json) => {
    const used = new Set(keys)
    for (const [k, v] of Object.entries(fixed))
      if (JSON.stringify(ic[k] ?? v) === JSON.stringify(v)) used.add(k)
    for (const m of unreadSettings(
      `${name} (its ${String(inner.class_name)})`,
      String(inner.class_name),
      ic,
      used,
    ))
      warn(m)
  }
  const pair = (v: unknown): [number, number] | null => {
    if (typeof v === 'number') return [v, v]
    if (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number'))
      return v as [number, number]
    if (Array.isArray(v) && v.length === 2 && v.every((x) => Array.isArray(x) && x[0] === x[1]))
      return [v[0][0], v[1][0]]
    return null
  }
  switch (className) {
    case 'InputLayer': {
      const shape = (c.batch_input_shape ?? c.batch_shape ?? c.batchInputShape) as unknown[] | undefined
      if (Array.isArray(shape)) p.shape = shape.slice(1)
      if (typeof c.dtype === 'string')
        p.dtype = c.dtype === 'int32' || c.dtype === 'int64' ? 'int32' : 'float32'
      break
    }
    case 'ZeroPadding2D':
    case 'Cropping2D': {
      const key = className === 'ZeroPadding2D' ? 'padding' : 'cropping'
      const v = pair(c[key])
      const raw = c[key]
      const whole = (x: unknown) => Number.isInteger(x) && (x as number) >= 0
      if (v) p[key] = v
      else if (
        Array.isArray(raw) &&
        raw.length === 2 &&
        raw.every((side) => Array.isArray(side) && side.length === 2 && side.every(whole))
      ) {
        // ((top, bottom), (left, right)), uneven: the top/left pair and the bottom/right one.
        const [[t, b], [l, r]] = raw as [[number, number], [number, number]]
        p[key] = [t, l]
        p[`${key}_after`] = [b, r]
      } else
        warn(
          `${name}: the ${key} ${showValue(raw)} is not in a form Keras writes; it was set to the default.`,
        )
      break
    }
    case 'Bidirectional': {
      const inner = isObj(c.layer) ? c.layer : {}
      const ic = isObj(inner.config) ? inner.config : {}
      p.layer = inner.class_name
      if ('units' in ic) p.units = ic.units
      if ('return_sequences' in ic) p.return_sequences = ic.return_sequences
      unreadInner(inner, ic, ['units', 'return_sequences'], {
        activation: 'tanh',
        use_bias: true,
        recurrent_activation: 'sigmoid',
      })
      // Keras 3 writes the backward layer too: the forward one run backwards, unless set otherwise.
      const back = isObj(c.backward_layer) ? c.backward_layer : null
      const bc = back && isObj(back.config) ? back.config : {}
      // (.keras files also give each initializer a shared_object_id, which says nothing of its values.)
      const mirror = (x: Json) =>
        JSON.stringify({ ...x, name: '', go_backwards: false }, (k, v: unknown) =>
          k === 'shared_object_id' ? undefined : v,
        )
      if (
        c.backward_layer === undefined ||
        (back && back.class_name === inner.class_name && mirror(bc) === mirror(ic))
      )
        read.add('backward_layer')
      break
    }
    case 'TimeDistributed': {
      const inner = isObj(c.layer) ? c.layer : {}
      const ic = isObj(inner.config) ? inner.config : {}
      if (inner.class_name !== 'Dense')
        warn(`${name}: TimeDistributed(${showValue(inner.class_name, 60)}) is not supported; only Dense is.`)
      else {
        read.add('layer')
        unreadInner(inner, ic, ['units', 'activation'], { use_bias: true })
      }
      p.units = ic.units
      p.activation = ic.activation
      break
    }
    case 'LeakyReLU':
      // Keras 3 names LeakyReLU's slope negative_slope; Keras 2 and tfjs, alpha.
      if (typeof c.negative_slope === 'number') {
        p.alpha = c.negative_slope
        read.add('negative_slope')
      }
      break
  }
  const ints = (v: unknown) => (typeof v === 'number' ? [v] : v)
  for (const [k, ps] of Object.entries(spec.params))
    if (ps.kind === 'tuple' && k in p && p[k] !== null) {
      const v = ints(p[k]) as number[]
      p[k] = v.length === ps.length ? v : Array.from({ length: ps.length }, () => v[0])
    }
  for (const k of ['dilation_rate'])
    if (k in c && JSON.stringify(c[k]) !== '[1,1]' && JSON.stringify(c[k]) !== '[1]' && c[k] !== 1) {
      warn(
        `${name}: ${k} ${showValue(c[k])} is not supported (TensorFlow.js cannot train it); it was set to 1.`,
      )
      read.add(k)
    }
  if (c.data_format === 'channels_first') {
    warn(`${name}: channels_first is not supported; Netwright uses channels_last.`)
    read.add('data_format')
  }
  // Keras 3 writes a pooling's strides as its pool size where none were given: Netwright's null.
  if (
    'pool_size' in p &&
    p.strides !== null &&
    JSON.stringify(ints(p.strides)) === JSON.stringify(ints(p.pool_size))
  )
    p.strides = null
  // Keras 3 calls swish silu.
  if (p.activation === 'silu') p.activation = 'swish'
  for (const m of unreadSettings(name, className, c, read)) warn(m)
  return p
}
