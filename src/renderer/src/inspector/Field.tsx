import { useEffect, useId, useState, type ReactNode } from 'react'

/**
 * A text field that keeps what the user types as a draft and commits it on Enter or blur, so a typed
 * value is one undo step. `parse` returns the value, or a message explaining what is wrong.
 */
export function DraftField<T>(props: {
  label: string
  value: T
  format: (v: T) => string
  parse: (text: string) => { value: T } | { error: string }
  onCommit: (v: T) => void
  help?: ReactNode
  testId?: string
  inputMode?: 'numeric' | 'decimal' | 'text'
}) {
  const id = useId()
  const [draft, setDraft] = useState(props.format(props.value))
  const [error, setError] = useState<string | null>(null)
  const shown = props.format(props.value)
  useEffect(() => {
    setDraft(shown)
    setError(null)
  }, [shown])
  const commit = () => {
    const r = props.parse(draft)
    if ('error' in r) {
      setError(r.error)
      return
    }
    setError(null)
    if (props.format(r.value) !== shown) props.onCommit(r.value)
  }
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <input
        id={id}
        data-testid={props.testId}
        inputMode={props.inputMode}
        value={draft}
        aria-invalid={!!error}
        onChange={(e) => setDraft(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commit()
          if (e.key === 'Escape') {
            setDraft(shown)
            setError(null)
          }
        }}
      />
      {error && (
        <div className="field-error" role="alert">
          {error}
        </div>
      )}
      {props.help && <div className="field-help">{props.help}</div>}
    </div>
  )
}

export const parseNumber =
  (opts: { integer?: boolean; min?: number; max?: number }) =>
  (text: string): { value: number } | { error: string } => {
    const v = Number(text.trim())
    if (text.trim() === '' || !Number.isFinite(v)) return { error: `Enter a number; "${text}" is not one.` }
    if (opts.integer && !Number.isInteger(v)) return { error: 'Enter a whole number.' }
    if (opts.min !== undefined && v < opts.min) return { error: `Enter ${opts.min} or more.` }
    if (opts.max !== undefined && v > opts.max) return { error: `Enter ${opts.max} or less.` }
    return { value: v }
  }

export function SelectField<T extends string>(props: {
  label: string
  value: T
  options: readonly T[] | readonly { value: T; label: string }[]
  onChange: (v: T) => void
  help?: ReactNode
  testId?: string
  /** The whole row of a two-column form, for long options (sparse_categorical_crossentropy). */
  wide?: boolean
}) {
  const id = useId()
  const opts = props.options.map((o) => (typeof o === 'string' ? { value: o, label: o } : o))
  return (
    <div className={props.wide ? 'field wide' : 'field'}>
      <label htmlFor={id}>{props.label}</label>
      <select
        id={id}
        data-testid={props.testId}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value as T)}
      >
        {opts.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      {props.help && <div className="field-help">{props.help}</div>}
    </div>
  )
}

/** A number typed and committed like any DraftField, checked against its limits. */
export function NumberField(props: {
  label: string
  value: number
  limits: { integer?: boolean; min?: number; max?: number }
  onCommit: (v: number) => void
  help?: ReactNode
  testId?: string
}) {
  return (
    <DraftField
      label={props.label}
      testId={props.testId}
      inputMode={props.limits.integer ? 'numeric' : 'decimal'}
      value={props.value}
      format={String}
      parse={parseNumber(props.limits)}
      onCommit={props.onCommit}
      help={props.help}
    />
  )
}

/** A number that may be left empty for no value (null: Keras's None), as ReLU's max_value. */
export function OptionalNumberField(props: {
  label: string
  value: number | null
  limits: { integer?: boolean; min?: number; max?: number }
  onCommit: (v: number | null) => void
  help?: ReactNode
  testId?: string
}) {
  const parse = parseNumber(props.limits)
  return (
    <DraftField<number | null>
      label={props.label}
      testId={props.testId}
      inputMode="decimal"
      value={props.value}
      format={(v) => (v === null ? '' : String(v))}
      parse={(text) => (!text.trim() ? { value: null } : parse(text))}
      onCommit={props.onCommit}
      help={props.help}
    />
  )
}
