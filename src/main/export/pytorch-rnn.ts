// The PyTorch script's recurrent layers: SimpleRNN, LSTM, GRU and Bidirectional as nn.RNN/LSTM/GRU
// with batch_first, their last step or every step, the directions merged as Keras merges them.
import type { Params } from '../../shared/layers'
import { pyValue } from './quote'

/** What one layer becomes: module definitions for __init__, the forward expression, and notes. */
export interface Mapped {
  init: string[]
  forward: (ins: string[]) => string
  /** PyTorch parameters beyond Keras's count (recurrent layers' second bias vector). */
  extra: number
  unmapped?: string
}

const rnnGates: Record<string, number> = { SimpleRNN: 1, LSTM: 4, GRU: 3 }

/** A recurrent layer (or Bidirectional) of `cin` features per step, as `self`. */
export function mapRecurrent(cls: string, p: Params, cin: number, self: string): Mapped {
  const cell = cls === 'Bidirectional' ? String(p.layer) : cls
  const bi = cls === 'Bidirectional'
  const units = p.units as number
  const bias = cls === 'Bidirectional' ? true : (p.use_bias as boolean)
  const activation = String(p.activation ?? 'tanh')
  const kind = cell === 'SimpleRNN' ? 'nn.RNN' : `nn.${cell}`
  const extraArgs =
    cell === 'SimpleRNN' ? `, nonlinearity=${pyValue(activation === 'relu' ? 'relu' : 'tanh')}` : ''
  let note: string | undefined
  if (cell !== 'SimpleRNN' && activation !== 'tanh')
    note = `${self.slice(5)} (${cell} with activation ${activation}): PyTorch's ${cell} always uses tanh`
  if (cell === 'SimpleRNN' && activation !== 'tanh' && activation !== 'relu')
    note = `${self.slice(5)} (SimpleRNN with activation ${activation}): PyTorch's RNN has tanh or relu only`
  // PyTorch's GRU is Keras's reset_after=True, two bias vectors included.
  const resetAfter = cls === 'GRU' && p.reset_after === true
  if (cell === 'GRU' && !resetAfter)
    note = `${self.slice(5)} (GRU): PyTorch's GRU applies the reset gate after the recurrent product (Keras's reset_after=True); this model trained with reset_after=False`
  const mode = String(p.merge_mode ?? 'concat')
  const merge = (f: string, b: string) =>
    mode === 'sum'
      ? `${f} + ${b}`
      : mode === 'mul'
        ? `${f} * ${b}`
        : mode === 'ave'
          ? `(${f} + ${b}) / 2`
          : `torch.cat([${f}, ${b}], dim=-1)`
  return {
    init: [
      `${self} = ${kind}(${cin}, ${units}, batch_first=True, bias=${pyValue(bias)}${extraArgs}${bi ? ', bidirectional=True' : ''})`,
    ],
    forward: ([x]) => {
      const seq = `${self}(${x})[0]`
      if (!bi) return p.return_sequences ? seq : `${seq}[:, -1]`
      // Forward direction's last step and backward direction's (which ends at t = 0).
      return p.return_sequences
        ? mode === 'concat'
          ? seq
          : `(lambda s: ${merge(`s[..., :${units}]`, `s[..., ${units}:]`)})(${seq})`
        : `(lambda s: ${merge(`s[:, -1, :${units}]`, `s[:, 0, ${units}:]`)})(${seq})`
    },
    extra: bias && !resetAfter ? rnnGates[cell]! * units * (bi ? 2 : 1) : 0,
    unmapped: note,
  }
}
