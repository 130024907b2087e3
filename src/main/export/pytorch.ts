// The PyTorch script: an nn.Module equivalent of the drawn model. Tensors stay channels-last (as in
// Keras) between layers; convolutions and pooling permute to PyTorch's channels-first and back, so
// Flatten and Dense see values in Keras's order and weights could be carried across as they are.
import { analyze, incomingEdges, resolvedParams } from '../../shared/graph/analyze'
import type { NetDocument } from '../../shared/graph/schema'
import { layerSpec, type Params, type Shape } from '../../shared/layers'
import { toKerasConfig } from '../../shared/keras/config'
import { pyEscape } from './quote'
import { pyIdent, pyNamer, pyValue } from './python'

const ACT: Record<string, (x: string) => string> = {
  linear: (x) => x,
  relu: (x) => `F.relu(${x})`,
  relu6: (x) => `F.relu6(${x})`,
  elu: (x) => `F.elu(${x})`,
  selu: (x) => `F.selu(${x})`,
  sigmoid: (x) => `torch.sigmoid(${x})`,
  // Keras 2 / TensorFlow.js's hard_sigmoid (0.2x + 0.5), which is what trained here.
  hard_sigmoid: (x) => `torch.clamp(0.2 * ${x} + 0.5, 0.0, 1.0)`,
  tanh: (x) => `torch.tanh(${x})`,
  softmax: (x) => `F.softmax(${x}, dim=-1)`,
  softplus: (x) => `F.softplus(${x})`,
  softsign: (x) => `F.softsign(${x})`,
  swish: (x) => `F.silu(${x})`,
  mish: (x) => `F.mish(${x})`,
  gelu: (x) => `F.gelu(${x})`,
}
const act = (name: unknown, x: string): string => (ACT[String(name)] ?? ACT.linear!)(x)

import { mapRecurrent, type Mapped } from './pytorch-rnn'

const toNCHW = (x: string) => `${x}.permute(0, 3, 1, 2)`
const toNHWC = (x: string) => `${x}.permute(0, 2, 3, 1)`
const toNCL = (x: string) => `${x}.permute(0, 2, 1)`

function mapLayer(cls: string, p: Params, inShapes: Shape[], self: string): Mapped {
  const x0 = inShapes[0] ?? []
  const cin = x0.at(-1) as number
  const none = (forward: (ins: string[]) => string): Mapped => ({ init: [], forward, extra: 0 })
  const k = (p.kernel_size ?? p.pool_size) as number[]
  const s = ((p.strides as number[] | null) ?? k) as number[]
  const same = p.padding === 'same'
  switch (cls) {
    case 'Dense':
    case 'TimeDistributed':
      return {
        init: [`${self} = nn.Linear(${cin}, ${p.units}, bias=${pyValue(p.use_bias ?? true)})`],
        forward: ([x]) => act(p.activation, `${self}(${x})`),
        extra: 0,
      }
    case 'Activation':
      return none(([x]) => act(p.activation, x!))
    case 'Dropout':
      return { init: [`${self} = nn.Dropout(${p.rate})`], forward: ([x]) => `${self}(${x})`, extra: 0 }
    case 'AlphaDropout':
      return { init: [`${self} = nn.AlphaDropout(${p.rate})`], forward: ([x]) => `${self}(${x})`, extra: 0 }
    case 'SpatialDropout1D':
      return {
        init: [`${self} = nn.Dropout1d(${p.rate})`],
        forward: ([x]) => toNCL(`${self}(${toNCL(x!)})`),
        extra: 0,
      }
    case 'GaussianNoise':
      return none(([x]) => `(${x} + torch.randn_like(${x}) * ${p.stddev} if self.training else ${x})`)
    case 'GaussianDropout':
      return none(
        ([x]) =>
          `(${x} * (1 + torch.randn_like(${x}) * ${Math.sqrt((p.rate as number) / (1 - (p.rate as number)))}) if self.training else ${x})`,
      )
    case 'Flatten':
      return none(([x]) => `torch.flatten(${x}, 1)`)
    case 'Reshape':
      return none(([x]) => `${x}.reshape(${x}.shape[0], ${(p.target_shape as number[]).join(', ')})`)
    case 'Permute':
      return none(([x]) => `${x}.permute(0, ${(p.dims as number[]).join(', ')})`)
    case 'RepeatVector':
      return none(([x]) => `${x}.unsqueeze(1).expand(-1, ${p.n}, -1)`)
    case 'Conv1D':
    case 'Conv2D':
    case 'DepthwiseConv2D':
    case 'SeparableConv2D': {
      const d2 = cls !== 'Conv1D'
      const Conv = d2 ? 'nn.Conv2d' : 'nn.Conv1d'
      const kk = d2 ? `(${k.join(', ')})` : String(k[0])
      const ss = d2 ? `(${s.join(', ')})` : String(s[0])
      const bias = pyValue(p.use_bias)
      const dm = (p.depth_multiplier as number | undefined) ?? 1
      const init =
        cls === 'SeparableConv2D'
          ? [
              `${self}_depthwise = ${Conv}(${cin}, ${cin * dm}, ${kk}, stride=${ss}, groups=${cin}, bias=False)`,
              `${self} = ${Conv}(${cin * dm}, ${p.filters}, 1, bias=${bias})`,
            ]
          : cls === 'DepthwiseConv2D'
            ? [`${self} = ${Conv}(${cin}, ${cin * dm}, ${kk}, stride=${ss}, groups=${cin}, bias=${bias})`]
            : [`${self} = ${Conv}(${cin}, ${p.filters}, ${kk}, stride=${ss}, bias=${bias})`]
      const [to, from] = d2 ? [toNCHW, toNHWC] : [toNCL, toNCL]
      return {
        init,
        forward: ([x]) => {
          let t = to(x!)
          if (same)
            t = `_same_pad(${t}, ${kk.replace(/^(\d+)$/, '($1,)')}, ${ss.replace(/^(\d+)$/, '($1,)')})`
          const conv = cls === 'SeparableConv2D' ? `${self}(${self}_depthwise(${t}))` : `${self}(${t})`
          return act(p.activation, from(conv))
        },
        extra: 0,
      }
    }
    case 'Conv2DTranspose': {
      let pad = [0, 0]
      let outPad = [0, 0]
      let note: string | undefined
      for (let i = 0; i < 2; i++) {
        const kk = k[i]!
        const ss = s[i]!
        pad[i] = same && kk >= ss ? Math.ceil((kk - ss) / 2) : 0
        outPad[i] = same ? ss - kk + 2 * pad[i]! : Math.max(ss - kk, 0)
        if (outPad[i]! >= ss)
          note = `${self.slice(5)} (Conv2DTranspose): an even kernel with stride 1 and padding='same' has no exact PyTorch padding`
      }
      if (note) outPad = [0, 0]
      pad = pad.map((v) => v)
      return {
        init: [
          `${self} = nn.ConvTranspose2d(${cin}, ${p.filters}, (${k.join(', ')}), stride=(${s.join(', ')}), padding=(${pad.join(', ')}), output_padding=(${outPad.join(', ')}), bias=${pyValue(p.use_bias)})`,
        ],
        forward: ([x]) => act(p.activation, toNHWC(`${self}(${toNCHW(x!)})`)),
        extra: 0,
        unmapped: note,
      }
    }
    case 'MaxPooling1D':
    case 'MaxPooling2D':
    case 'AveragePooling1D':
    case 'AveragePooling2D': {
      const d2 = cls.endsWith('2D')
      const max = cls.startsWith('Max')
      const Pool = `nn.${max ? 'Max' : 'Avg'}Pool${d2 ? '2' : '1'}d`
      const kk = `(${k.join(', ')}${k.length === 1 ? ',' : ''})`
      const ss = `(${s.join(', ')}${s.length === 1 ? ',' : ''})`
      const [to, from] = d2 ? [toNCHW, toNHWC] : [toNCL, toNCL]
      return {
        init: [`${self} = ${Pool}(${kk}, stride=${ss})`],
        forward: ([x]) => {
          let t = to(x!)
          if (same) t = `_same_pad(${t}, ${kk}, ${ss}${max ? ', value=float("-inf")' : ''})`
          return from(`${self}(${t})`)
        },
        extra: 0,
        unmapped:
          same && !max
            ? `${self.slice(5)} (${cls}, padding='same'): PyTorch averages the zero padding at the borders, TensorFlow leaves it out`
            : undefined,
      }
    }
    case 'GlobalMaxPooling1D':
      return none(([x]) => `${x}.amax(dim=1)`)
    case 'GlobalAveragePooling1D':
      return none(([x]) => `${x}.mean(dim=1)`)
    case 'GlobalMaxPooling2D':
      return none(([x]) => `${x}.amax(dim=(1, 2))`)
    case 'GlobalAveragePooling2D':
      return none(([x]) => `${x}.mean(dim=(1, 2))`)
    case 'UpSampling2D':
      return none(([x]) =>
        toNHWC(
          `F.interpolate(${toNCHW(x!)}, scale_factor=(${(p.size as number[]).join(', ')}), mode="nearest")`,
        ),
      )
    case 'ZeroPadding2D': {
      const [t, l] = p.padding as number[]
      const [b, r] = (p.padding_after as number[] | null) ?? [t, l]
      return none(([x]) => `F.pad(${x}, (0, 0, ${l}, ${r}, ${t}, ${b}))`)
    }
    case 'Cropping2D': {
      const [t, l] = p.cropping as number[]
      const [b, r] = (p.cropping_after as number[] | null) ?? [t, l]
      const h = x0[1] as number
      const w = x0[2] as number
      return none(([x]) => `${x}[:, ${t}:${h - b!}, ${l}:${w - r!}, :]`)
    }
    case 'BatchNormalization': {
      const rank = x0.length
      const BN = rank === 4 ? 'nn.BatchNorm2d' : 'nn.BatchNorm1d'
      const init = [
        `${self} = ${BN}(${cin}, eps=${p.epsilon}, momentum=${+(1 - (p.momentum as number)).toFixed(6)})  # PyTorch's momentum is 1 - Keras's`,
      ]
      return {
        init,
        forward: ([x]) =>
          rank === 4
            ? toNHWC(`${self}(${toNCHW(x!)})`)
            : rank === 3
              ? toNCL(`${self}(${toNCL(x!)})`)
              : `${self}(${x})`,
        extra: 0,
      }
    }
    case 'LayerNormalization':
      return {
        init: [`${self} = nn.LayerNorm(${cin}, eps=${p.epsilon})`],
        forward: ([x]) => `${self}(${x})`,
        extra: 0,
      }
    case 'Embedding':
      return {
        init: [`${self} = nn.Embedding(${p.input_dim}, ${p.output_dim})`],
        forward: ([x]) => `${self}(${x}.long())`,
        extra: 0,
        ...(p.mask_zero
          ? {
              unmapped: `${self.slice(5)} (Embedding with mask_zero): PyTorch has no masks; pack the padded sequences (nn.utils.rnn.pack_padded_sequence) to skip the padding`,
            }
          : {}),
      }
    case 'SimpleRNN':
    case 'LSTM':
    case 'GRU':
    case 'Bidirectional':
      return mapRecurrent(cls, p, cin, self)
    case 'Add':
      return none((ins) => ins.join(' + '))
    case 'Subtract':
      return none((ins) => ins.join(' - '))
    case 'Multiply':
      return none((ins) => ins.join(' * '))
    case 'Average':
      return none((ins) => `(${ins.join(' + ')}) / ${ins.length}`)
    case 'Maximum':
    case 'Minimum':
      return none((ins) =>
        ins
          .slice(1)
          .reduce((acc, v) => `torch.${cls === 'Maximum' ? 'maximum' : 'minimum'}(${acc}, ${v})`, ins[0]!),
      )
    case 'Concatenate':
      return none((ins) => `torch.cat([${ins.join(', ')}], dim=${p.axis})`)
    case 'Dot':
      return none(([a, b]) =>
        p.normalize
          ? `(F.normalize(${a}, dim=-1) * F.normalize(${b}, dim=-1)).sum(dim=-1, keepdim=True)`
          : `(${a} * ${b}).sum(dim=-1, keepdim=True)`,
      )
    case 'ReLU': {
      // Keras's relu(x, negative_slope, max_value, threshold).
      const max = p.max_value as number | null
      const slope = (p.negative_slope as number) ?? 0
      const t = (p.threshold as number) ?? 0
      if (max === null && !slope && !t) return none(([x]) => `F.relu(${x})`)
      return none(([x]) => {
        const kept = t ? `${x} * (${x} > ${t})` : `F.relu(${x})`
        const clipped = max === null ? kept : `torch.clamp(${kept}, 0, ${max})`
        return slope ? `(${clipped} - ${slope} * F.relu(${t} - ${x}))` : clipped
      })
    }
    case 'LeakyReLU':
      return none(([x]) => `F.leaky_relu(${x}, ${p.alpha})`)
    case 'ELU':
      return none(([x]) => `F.elu(${x}, ${p.alpha})`)
    case 'Softmax':
      return none(([x]) => `F.softmax(${x}, dim=${p.axis})`)
    case 'PReLU':
      return {
        init: [
          `${self} = nn.Parameter(torch.zeros(${(x0.slice(1) as number[]).join(', ')}))  # one slope per value`,
        ],
        forward: ([x]) => `torch.where(${x} >= 0, ${x}, ${self} * ${x})`,
        extra: 0,
      }
    default:
      return {
        init: [],
        forward: ([x]) => x ?? 'None',
        extra: 0,
        unmapped: `${self.slice(5)} (${cls}): no PyTorch equivalent here; passed through unchanged`,
      }
  }
}

/** nn.Module's own attributes and methods, which a layer's attribute must not replace. */
const MODULE_ATTRIBUTES =
  `T_destination add_module apply bfloat16 buffers call_super_init children compile cpu cuda
double dump_patches eval extra_repr float forward get_buffer get_extra_state get_parameter get_submodule half ipu
load_state_dict modules mtia named_buffers named_children named_modules named_parameters parameters
register_backward_hook register_buffer register_forward_hook register_forward_pre_hook register_full_backward_hook
register_full_backward_pre_hook register_load_state_dict_post_hook register_load_state_dict_pre_hook register_module
register_parameter register_state_dict_post_hook register_state_dict_pre_hook requires_grad_ set_extra_state
set_submodule share_memory state_dict to to_empty train training type xpu zero_grad`.split(/\s+/)

export interface TorchScript {
  text: string
  /** Layers that did not map one to one, and why. */
  unmapped: string[]
  /** Keras's trainable parameter count and PyTorch's (which can differ, as the script explains). */
  kerasTrainable: number
  torchParams: number
}

/** The PyTorch script for a document (which must be free of problems). */
export function pytorchScript(doc: NetDocument, exportedAt = new Date()): TorchScript {
  toKerasConfig(doc) // refuses a model with problems, listing them
  const a = analyze(doc)
  const byId = new Map(doc.nodes.map((n) => [n.id, n]))
  const init: string[] = []
  const forward: string[] = []
  const unmapped: string[] = []
  let extra = 0
  const made = new Map<string, Mapped>()
  // Attributes must not replace nn.Module's own (a layer named "forward" or "training"), and
  // forward()'s variables must not hide the modules the script uses.
  const attr = pyNamer(MODULE_ATTRIBUTES)
  const local = pyNamer(['self', 'torch', 'nn', 'F', '_same_pad'])
  const v = (id: string) => local(byId.get(id)!.name)
  const incoming = incomingEdges(doc)
  for (const id of a.order) {
    const node = byId.get(id)!
    if (node.className === 'InputLayer') continue
    const owner = byId.get(node.sharedWith ?? id)!
    const ins = (incoming.get(id) ?? []).map((e) => e.source)
    const self = `self.${attr(owner.name)}`
    let m = made.get(owner.id)
    if (!m) {
      const spec = layerSpec(owner.className)!
      m = mapLayer(
        owner.className,
        resolvedParams(spec, owner.params),
        ins.map((s) => a.nodes[s]!.outputShape ?? []),
        self,
      )
      made.set(owner.id, m)
      init.push(...m.init.map((l) => `        ${l}`))
      if (owner.trainable === false) {
        // Frozen in Netwright (Keras's trainable=False): every module or parameter it made.
        const attrs = m.init
          .map((l) => /^(self\.[A-Za-z0-9_]+) = /.exec(l)?.[1])
          .filter((x): x is string => !!x)
        for (const x of attrs) init.push(`        ${x}.requires_grad_(False)  # frozen (trainable=False)`)
      } else extra += m.extra
      if (m.unmapped) unmapped.push(m.unmapped)
    }
    forward.push(`        ${v(id)} = ${m.forward(ins.map(v))}`)
  }
  const inputs = a.inputs.map((i) => byId.get(i)!)
  const outputs = a.outputs.map(v)
  const sample = inputs
    .map((n) => {
      const p = resolvedParams(layerSpec('InputLayer')!, n.params)
      // A length the data sets (None) is 8 in the sample batch.
      const shape = (p.shape as (number | null)[]).map((d) => d ?? 8)
      return p.dtype === 'int32'
        ? `torch.zeros(2, ${shape.join(', ')}, dtype=torch.long)`
        : `torch.zeros(2, ${shape.join(', ')})`
    })
    .join(', ')
  const torchParams = a.trainableParams + extra
  const cls =
    pyIdent(doc.name.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())) ||
    'Model'
  // Never `F` (torch.nn.functional as F) nor anything not starting with a capital.
  const className = /^[A-Z]/.test(cls) && cls !== 'F' ? cls : `Model${cls}`
  const text = [
    '"""',
    `${pyEscape(doc.name)}: a PyTorch nn.Module equivalent, exported from Netwright on ${exportedAt.toISOString().slice(0, 10)}.`,
    '',
    'Tensors stay channels-last between layers, as in Keras; convolutions and pooling permute to',
    "PyTorch's channels-first and back, so Flatten and Dense see values in Keras's order. Keras's",
    "padding='same' is done by _same_pad, which pads as TensorFlow does (the extra row or column at",
    'the bottom and right).',
    '',
    unmapped.length ? 'Not mapped one to one:' : 'Every layer mapped one to one.',
    ...unmapped.map((u) => `  - ${u}`),
    '',
    `Trainable parameters: Keras ${a.trainableParams.toLocaleString('en-US')}, PyTorch ${torchParams.toLocaleString('en-US')}.`,
    ...(extra
      ? [
          `PyTorch's recurrent layers carry a second bias vector (bias_hh) that Keras's do not: +${extra.toLocaleString('en-US')}.`,
        ]
      : []),
    ...(a.nonTrainableParams
      ? [
          `Keras also counts ${a.nonTrainableParams.toLocaleString('en-US')} non-trainable values (BatchNormalization's moving mean and`,
          'variance); PyTorch keeps them as buffers (running_mean, running_var), not parameters.',
        ]
      : []),
    '',
    'Run it to check the module builds and to see its parameter count and output shape:',
    '    python <this file>',
    '"""',
    'import torch',
    'from torch import nn',
    'import torch.nn.functional as F',
    '',
    `KERAS_TRAINABLE_PARAMS = ${a.trainableParams}`,
    `TORCH_PARAMS = ${torchParams}`,
    '',
    '',
    'def _same_pad(x, kernel, stride, value=0.0):',
    '    """Pads a channels-first tensor as TensorFlow\'s padding=\'same\' does."""',
    '    pads = []',
    '    for size, k, s in reversed(list(zip(x.shape[2:], kernel, stride))):',
    '        out = -(-size // s)',
    '        total = max((out - 1) * s + k - size, 0)',
    '        pads += [total // 2, total - total // 2]',
    '    return F.pad(x, pads, value=value)',
    '',
    '',
    `class ${className}(nn.Module):`,
    '    def __init__(self):',
    '        super().__init__()',
    ...(init.length ? init : ['        pass']),
    '',
    `    def forward(self, ${inputs.map((n) => v(n.id)).join(', ')}):`,
    ...forward,
    `        return ${outputs.length === 1 ? outputs[0] : `(${outputs.join(', ')})`}`,
    '',
    '',
    `Model = ${className}`,
    '',
    '',
    'def sample_inputs():',
    '    """A batch of two all-zero samples of the Input shape(s)."""',
    `    return (${sample},)`,
    '',
    '',
    'if __name__ == "__main__":',
    '    model = Model().eval()',
    '    n = sum(p.numel() for p in model.parameters() if p.requires_grad)',
    '    print(f"Trainable parameters: {n:,} (expected {TORCH_PARAMS:,}; Keras counts {KERAS_TRAINABLE_PARAMS:,})")',
    '    with torch.no_grad():',
    '        out = model(*sample_inputs())',
    '    outs = out if isinstance(out, tuple) else (out,)',
    '    print("Output shape(s):", ", ".join(str(tuple(o.shape)) for o in outs))',
    '',
  ].join('\n')
  return { text, unmapped, kerasTrainable: a.trainableParams, torchParams }
}
