import { useId } from 'react'
import type { DatasetInfo, DatasetOption } from '../../../shared/ipc/contract'
import { DraftField, NumberField, SelectField } from '../inspector/Field'

type Value = number | boolean | string

function Checkbox(props: { option: DatasetOption; value: boolean; onChange: (v: boolean) => void }) {
  const id = useId()
  return (
    <div className="field checkbox-field">
      <input
        id={id}
        type="checkbox"
        data-testid={`dataset-option-${props.option.key}`}
        checked={props.value}
        onChange={(e) => props.onChange(e.target.checked)}
      />
      <label htmlFor={id}>{props.option.label}</label>
      <div className="field-help">{props.option.help}</div>
    </div>
  )
}

/** A dataset's loading and preprocessing settings, drawn from its declared options. */
export function DatasetOptions(props: {
  info: DatasetInfo
  values: Record<string, unknown>
  onChange: (key: string, value: Value) => void
  /** Where a path is relative to, for the path option's help. */
  pathHelp?: string
  /** A native Choose… dialog for the path option (Electron). */
  choosePath?: (kind: 'csv' | 'folder') => Promise<string | null>
}) {
  const choose = props.choosePath
  return (
    <div className="dataset-options" data-testid="dataset-options">
      {props.info.options.map((o) => {
        const v = (props.values[o.key] ?? o.default) as Value
        const testId = `dataset-option-${o.key}`
        const help = o.key === 'path' && props.pathHelp ? `${o.help} ${props.pathHelp}` : o.help
        switch (o.kind) {
          case 'number':
            return (
              <NumberField
                key={o.key}
                label={o.label}
                testId={testId}
                value={Number(v)}
                limits={{ integer: o.integer, min: o.min, max: o.max }}
                onCommit={(n) => props.onChange(o.key, n)}
                help={help}
              />
            )
          case 'boolean':
            return (
              <Checkbox
                key={o.key}
                option={o}
                value={v === true}
                onChange={(b) => props.onChange(o.key, b)}
              />
            )
          case 'choice':
            return (
              <SelectField
                key={o.key}
                label={o.label}
                testId={testId}
                value={String(v)}
                options={o.choices ?? []}
                onChange={(c) => props.onChange(o.key, c)}
                help={help}
              />
            )
        }
        const text = (
          <DraftField
            key={o.key}
            label={o.label}
            testId={testId}
            value={String(v)}
            format={String}
            parse={(t) => ({ value: t.trim() })}
            onCommit={(t) => props.onChange(o.key, t)}
            help={help}
          />
        )
        if (o.key !== 'path' || !choose) return text
        return (
          <div key={o.key} className="path-field">
            {text}
            <button
              onClick={() =>
                void choose(props.info.id === 'images' ? 'folder' : 'csv').then(
                  (p) => p && props.onChange(o.key, p),
                )
              }
            >
              Choose…
            </button>
          </div>
        )
      })}
    </div>
  )
}
