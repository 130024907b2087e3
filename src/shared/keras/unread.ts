// What an imported layer config says that Netwright does not read. Every key of a Keras layer
// config is one of: read into the layer's params, the layer's identity (name, dtype, build info), set
// to the value that changes nothing (Keras's default), or dropped, and then the user is told which
// layer lost which setting. Nothing is dropped silently.
import { showValue } from '../json-limits'

type Json = Record<string, unknown>
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Keys that name or describe a layer rather than set how it computes. */
const IDENTITY = new Set([
  'name',
  'dtype',
  'batch_input_shape',
  'batch_shape',
  'batch_size',
  'input_shape',
  'sparse',
  'ragged',
  'optional',
  'build_config',
  // How Keras schedules an RNN's work (1 or 2), not what it computes.
  'implementation',
])

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)

/** Keys whose value here changes nothing: Keras's defaults, in every spelling Keras writes them. */
const NEUTRAL: Record<string, unknown[]> = {
  trainable: [true],
  activity_regularizer: [null],
  data_format: ['channels_last'],
  dilation_rate: [1, [1], [1, 1]],
  dropout: [0],
  recurrent_dropout: [0],
  go_backwards: [false],
  groups: [1],
  interpolation: ['nearest'],
  keepdims: [false],
  mask_zero: [false],
  max_value: [null],
  threshold: [0],
  noise_shape: [null],
  output_padding: [null],
  quantization_config: [null],
  recurrent_activation: ['sigmoid'],
  renorm: [false],
  renorm_clipping: [null],
  renorm_momentum: [0.99],
  return_state: [false],
  rms_scaling: [false],
  seed: [null],
  shared_axes: [null],
  stateful: [false],
  synchronized: [false],
  unit_forget_bias: [true],
  unroll: [false],
  // Only what a masked step outputs; Netwright has no masks (mask_zero is reported).
  zero_output_for_mask: [false, true],
  time_major: [false],
  reset_after: [false],
  lora_rank: [null],
  lora_alpha: [null],
  center: [true],
  scale: [true],
  merge_mode: ['concat'],
  use_cudnn: ['auto'],
  // ReLU's negative_slope (LeakyReLU's is read as its alpha).
  negative_slope: [0],
  // BatchNormalization and LayerNormalization normalize the last axis.
  axis: [-1, [-1]],
}

/** Each initializer key's default, by class name; with the arguments that default to it. */
const INITIALIZERS: Record<string, [string, Json]> = {
  kernel_initializer: ['GlorotUniform', {}],
  depthwise_initializer: ['GlorotUniform', {}],
  pointwise_initializer: ['GlorotUniform', {}],
  bias_initializer: ['Zeros', {}],
  beta_initializer: ['Zeros', {}],
  moving_mean_initializer: ['Zeros', {}],
  alpha_initializer: ['Zeros', {}],
  gamma_initializer: ['Ones', {}],
  moving_variance_initializer: ['Ones', {}],
  recurrent_initializer: ['Orthogonal', { gain: 1 }],
  embeddings_initializer: ['RandomUniform', { minval: -0.05, maxval: 0.05 }],
}
/** Arguments of an initializer that change no value's distribution (only which draw it is). */
const INIT_IDENTITY = new Set(['seed', 'input_axes', 'output_axes'])

/** snake_case and CamelCase spellings of a class (Keras 2 writes "glorot_uniform" as a string too). */
const normClass = (s: string) => s.replace(/_/g, '').toLowerCase()

/**
 * TensorFlow.js writes its default GlorotUniform as a VarianceScaling (scale 1, fan_avg), whose
 * distribution it writes as "normal" (tfjs 4.22 saves its own default so; Keras writes GlorotNormal by
 * that name, never so).
 */
function initializerClass(v: Json): string {
  const c = isObj(v.config) ? v.config : {}
  if (
    v.class_name === 'VarianceScaling' &&
    c.scale === 1 &&
    c.mode === 'fan_avg' &&
    (c.distribution === 'uniform' || c.distribution === 'normal')
  )
    return 'GlorotUniform'
  return String(v.class_name)
}

function neutralInitializer(key: string, v: unknown): boolean {
  const want = INITIALIZERS[key]
  if (!want) return false
  if (typeof v === 'string') return normClass(v) === normClass(want[0])
  if (!isObj(v) || typeof v.class_name !== 'string') return false
  const cls = initializerClass(v)
  if (normClass(cls) !== normClass(want[0])) return false
  const args = cls !== v.class_name ? {} : isObj(v.config) ? v.config : {}
  return Object.entries(args).every(([k, x]) => INIT_IDENTITY.has(k) || same(x, want[1][k]))
}

/** Whether a key's value is the one that changes nothing. */
export function isNeutral(key: string, v: unknown): boolean {
  if (IDENTITY.has(key)) return true
  if (key in INITIALIZERS) return neutralInitializer(key, v)
  if (key.endsWith('_regularizer') || key.endsWith('_constraint')) return v === null || v === undefined
  const ok = NEUTRAL[key]
  return !!ok && ok.some((x) => same(x, v))
}

/**
 * One warning per setting of `config` that was neither read (`read`: the keys paramsFrom used) nor
 * neutral, naming the layer and the setting.
 */
export function unreadSettings(
  layerName: string,
  className: string,
  config: Json,
  read: Set<string>,
): string[] {
  const out: string[] = []
  for (const [k, v] of Object.entries(config)) {
    if (read.has(k) || isNeutral(k, v)) continue
    out.push(
      `${layerName}: the ${className} setting ${k} = ${showValue(v, 80)} is not supported, so it was left out; the layer works as if it were not set.`,
    )
  }
  return out
}
