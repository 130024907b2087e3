import {
  CALLBACK_NAMES,
  CallbackSchema,
  describeCallback,
  type Callback,
  type CallbackName,
} from '../../../shared/graph/callbacks'
import { NumberField, SelectField } from '../inspector/Field'

const MONITORS = ['val_loss', 'val_accuracy', 'loss', 'accuracy'] as const

/** A callback as it is added: Keras's defaults, with a patience and a schedule that do something. */
function added(name: CallbackName): Callback {
  switch (name) {
    case 'EarlyStopping':
      return CallbackSchema.parse({ class_name: name, config: { patience: 3, restore_best_weights: true } })
    case 'ReduceLROnPlateau':
      return CallbackSchema.parse({ class_name: name, config: { patience: 3 } })
    case 'ModelCheckpoint':
      return CallbackSchema.parse({ class_name: name, config: {} })
    case 'ExponentialDecay':
      return CallbackSchema.parse({ class_name: name, config: { decay_steps: 1000, decay_rate: 0.9 } })
  }
}

const HELP: Record<CallbackName, string> = {
  EarlyStopping: 'Ends the run when the monitored figure stops improving (Keras’s EarlyStopping).',
  ReduceLROnPlateau: 'Lowers the learning rate when the monitored figure stops improving.',
  ModelCheckpoint: 'Keeps the weights of the best epoch, not the last (save_best_only).',
  ExponentialDecay: 'The learning rate × decay_rate every decay_steps batches (staircase: in steps).',
}

/** The document's callbacks, in Keras's names, each with its settings. */
export function CallbacksField({
  callbacks,
  onChange,
}: {
  callbacks: Callback[]
  onChange: (next: Callback[]) => void
}) {
  const set = (i: number, config: Record<string, unknown>) =>
    onChange(
      callbacks.map((c, k) =>
        k === i ? CallbackSchema.parse({ class_name: c.class_name, config: { ...c.config, ...config } }) : c,
      ),
    )
  const missing = CALLBACK_NAMES.filter((n) => !callbacks.some((c) => c.class_name === n))
  return (
    <details className="callbacks" data-testid="callbacks" open={callbacks.length > 0}>
      <summary>Callbacks ({callbacks.length})</summary>
      {callbacks.map((c, i) => (
        <div className="callback" key={c.class_name} data-testid={`callback-${c.class_name}`}>
          <div className="callback-head">
            <b title={HELP[c.class_name]}>{c.class_name}</b>
            <button
              className="link"
              aria-label={`Remove ${c.class_name}`}
              onClick={() => onChange(callbacks.filter((_, k) => k !== i))}
            >
              remove
            </button>
          </div>
          <p className="hint">{describeCallback(c)}</p>
          {'monitor' in c.config && (
            <SelectField
              label="Monitor"
              value={c.config.monitor as (typeof MONITORS)[number]}
              options={MONITORS}
              onChange={(monitor) => set(i, { monitor })}
            />
          )}
          {'patience' in c.config && (
            <NumberField
              label="Patience (epochs)"
              testId={`${c.class_name}-patience`}
              value={c.config.patience}
              limits={{ integer: true, min: 0, max: 100_000 }}
              onCommit={(patience) => set(i, { patience })}
            />
          )}
          {c.class_name === 'ReduceLROnPlateau' && (
            <NumberField
              label="Factor"
              value={c.config.factor}
              limits={{ min: 0.0001, max: 0.9999 }}
              onCommit={(factor) => set(i, { factor })}
            />
          )}
          {c.class_name === 'EarlyStopping' && (
            <label className="check">
              <input
                type="checkbox"
                checked={c.config.restore_best_weights}
                onChange={(e) => set(i, { restore_best_weights: e.target.checked })}
              />{' '}
              Restore the best weights
            </label>
          )}
          {c.class_name === 'ExponentialDecay' && (
            <>
              <NumberField
                label="Decay steps (batches)"
                value={c.config.decay_steps}
                limits={{ integer: true, min: 1, max: 1e9 }}
                onCommit={(decay_steps) => set(i, { decay_steps })}
              />
              <NumberField
                label="Decay rate"
                value={c.config.decay_rate}
                limits={{ min: 0.0001, max: 10 }}
                onCommit={(decay_rate) => set(i, { decay_rate })}
              />
              <label className="check">
                <input
                  type="checkbox"
                  checked={c.config.staircase}
                  onChange={(e) => set(i, { staircase: e.target.checked })}
                />{' '}
                Staircase (step decay)
              </label>
            </>
          )}
        </div>
      ))}
      {missing.length > 0 && (
        <select
          aria-label="Add a callback"
          data-testid="add-callback"
          value=""
          onChange={(e) => e.target.value && onChange([...callbacks, added(e.target.value as CallbackName)])}
        >
          <option value="">Add a callback…</option>
          {missing.map((n) => (
            <option key={n} value={n} title={HELP[n]}>
              {n}
            </option>
          ))}
        </select>
      )}
    </details>
  )
}
