import { useState } from 'react'
import type { Analysis } from '../../../shared/graph/analyze'
import type { NetDocument } from '../../../shared/graph/schema'
import { formatShape, layerSpec, type ParamSpec, type ParamValue } from '../../../shared/layers'
import { useDoc } from '../store/document'
import { ActivationPlot } from './ActivationPlot'
import { DraftField, NumberField, OptionalNumberField, SelectField } from './Field'
import { ParamsExplained, WindowView } from './ParamsExplained'

function ParamInput({
  name,
  spec,
  value,
  onChange,
}: {
  name: string
  spec: ParamSpec
  value: unknown
  onChange: (v: ParamValue) => void
}) {
  const testId = `param-${name}`
  switch (spec.kind) {
    case 'int':
    case 'float':
      if (spec.kind === 'float' && spec.nullable)
        return (
          <OptionalNumberField
            label={name}
            testId={testId}
            value={value as number | null}
            limits={{ min: spec.min, max: spec.max }}
            onCommit={onChange}
            help={spec.doc}
          />
        )
      return (
        <NumberField
          label={name}
          testId={testId}
          value={value as number}
          limits={{ integer: spec.kind === 'int', min: spec.min, max: spec.max }}
          onCommit={onChange}
          help={spec.doc}
        />
      )
    case 'bool':
      return (
        <div className="field field-check">
          <label>
            <input
              type="checkbox"
              data-testid={testId}
              checked={value === true}
              onChange={(e) => onChange(e.target.checked)}
            />{' '}
            {name}
          </label>
          <div className="field-help">{spec.doc}</div>
        </div>
      )
    case 'choice':
      return (
        <>
          <SelectField
            label={name}
            testId={testId}
            value={String(value)}
            options={spec.options}
            onChange={onChange}
            help={spec.doc}
          />
          {/activation$/.test(name) && <ActivationPlot name={String(value)} />}
        </>
      )
    case 'shape':
      return (
        <DraftField
          label={name}
          testId={testId}
          value={value as number[]}
          format={(v) =>
            Array.isArray(v)
              ? (v as (number | null)[]).map((d) => (d === null ? 'None' : d)).join(', ')
              : String(v)
          }
          parse={(text) => {
            // "None" (or "null", "?") is a length the data sets: variable-length sequences.
            const parts = text
              .split(/[\s,x×]+/)
              .filter(Boolean)
              .map((t) => (/^(none|null|\?)$/i.test(t) ? null : Number(t)))
            if (!parts.length || parts.some((d) => d !== null && (!Number.isInteger(d) || d < 1)))
              return {
                error:
                  'Enter positive whole numbers separated by commas, such as 28, 28 (None for a length the data sets).',
              }
            return { value: parts as number[] }
          }}
          onCommit={onChange}
          help={spec.doc}
        />
      )
    case 'tuple':
      return (
        <DraftField
          label={name}
          testId={testId}
          value={value as number[] | null}
          format={(v) => (Array.isArray(v) ? v.join(', ') : '')}
          parse={(text) => {
            if (!text.trim() && spec.nullable) return { value: null }
            const parts = text
              .split(/[\s,x×]+/)
              .filter(Boolean)
              .map(Number)
            if (parts.length !== spec.length || parts.some((d) => !Number.isInteger(d) || d < spec.min))
              return {
                error: `Enter ${spec.length} whole number${spec.length === 1 ? '' : 's'} of ${spec.min} or more${spec.nullable ? ', or leave it empty' : ''}.`,
              }
            return { value: parts }
          }}
          onCommit={onChange}
          help={spec.doc}
        />
      )
    default: {
      const never: never = spec
      return never
    }
  }
}

function ModelPanel({ doc, analysis }: { doc: NetDocument; analysis: Analysis }) {
  const edit = useDoc((s) => s.edit)
  const [styleError, setStyleError] = useState<string | null>(null)
  return (
    <>
      <h2>Model</h2>
      <DraftField
        label="Name"
        value={doc.name}
        format={(v) => v}
        parse={(t) => (t.trim() ? { value: t.trim() } : { error: 'The model needs a name.' })}
        onCommit={(name) => edit((d) => ({ ...d, name }))}
      />
      <SelectField
        label="Style"
        value={doc.style}
        options={[
          { value: 'sequential', label: 'Sequential (a single chain)' },
          { value: 'functional', label: 'Functional (branches and merges)' },
        ]}
        onChange={(style) => setStyleError(useDoc.getState().setStyle(style))}
      />
      {styleError && (
        <p className="error-text" role="alert" data-testid="style-error">
          {styleError}
        </p>
      )}
      <dl className="totals">
        <dt>Layers</dt>
        <dd>{doc.nodes.length}</dd>
        <dt>Total params</dt>
        <dd>{analysis.totalParams.toLocaleString('en-US')}</dd>
        <dt>Trainable</dt>
        <dd>{analysis.trainableParams.toLocaleString('en-US')}</dd>
      </dl>
      <p className="hint">Select a layer on the canvas to edit it.</p>
    </>
  )
}

/** The form for the selected layer, generated from the layer registry; the model's settings when none is. */
export function Inspector({ analysis }: { analysis: Analysis }) {
  const doc = useDoc((s) => s.doc)
  const selection = useDoc((s) => s.selection)
  const edit = useDoc((s) => s.edit)
  const node = doc.nodes.find((n) => selection.length === 1 && n.id === selection[0])
  if (!node)
    return (
      <aside className="inspector" aria-label="Inspector">
        <ModelPanel doc={doc} analysis={analysis} />
      </aside>
    )
  const spec = layerSpec(node.className)
  const info = analysis.nodes[node.id]
  const owner = node.sharedWith ? doc.nodes.find((n) => n.id === node.sharedWith) : undefined
  const setParam = (k: string, v: ParamValue) =>
    edit((d) => ({
      ...d,
      nodes: d.nodes.map((n) => (n.id === node.id ? { ...n, params: { ...n.params, [k]: v } } : n)),
    }))
  return (
    <aside className="inspector" aria-label="Inspector" data-testid="inspector">
      <h2>{node.className === 'InputLayer' ? 'Input' : node.className}</h2>
      {spec && <p className="hint">{spec.doc}</p>}
      <DraftField
        label="name"
        testId="param-name"
        value={node.name}
        format={(v) => v}
        parse={(t) =>
          !/^[A-Za-z_][A-Za-z0-9_]*$/.test(t.trim())
            ? { error: 'Use letters, digits and _ (starting with a letter), as Keras names do.' }
            : doc.nodes.some((n) => n.id !== node.id && n.name === t.trim())
              ? { error: `Another layer is already called ${t.trim()}.` }
              : { value: t.trim() }
        }
        onCommit={(name) =>
          edit((d) => ({ ...d, nodes: d.nodes.map((n) => (n.id === node.id ? { ...n, name } : n)) }))
        }
      />
      {owner && (
        <div className="shared-note" data-testid="shared-note">
          A second use of <b>{owner.name}</b>: the same layer with the same weights, so its settings are{' '}
          {owner.name}&apos;s.{' '}
          <button className="link-plain" onClick={() => useDoc.getState().select([owner.id])}>
            Edit {owner.name}
          </button>
        </div>
      )}
      {!owner && doc.style === 'functional' && node.className !== 'InputLayer' && (
        <button className="reuse" data-testid="reuse" onClick={() => useDoc.getState().reuse(node.id)}>
          Use this layer again (shared weights)
        </button>
      )}
      {spec &&
        !owner &&
        Object.entries(spec.params).map(([k, p]) => (
          <ParamInput
            key={k}
            name={k}
            spec={p}
            value={node.params[k] ?? p.default}
            onChange={(v) => setParam(k, v)}
          />
        ))}
      {!owner && (info?.params ?? 0) > 0 && (
        <div className="field field-check">
          <label>
            <input
              type="checkbox"
              data-testid="param-trainable"
              checked={node.trainable !== false}
              onChange={(e) => {
                const trainable = e.target.checked
                edit((d) => ({
                  ...d,
                  nodes: d.nodes.map((n) => {
                    if (n.id !== node.id) return n
                    const { trainable: _was, ...rest } = n
                    return trainable ? rest : { ...rest, trainable: false }
                  }),
                }))
              }}
            />{' '}
            trainable
          </label>
          <div className="field-help">
            Unchecked, the layer is frozen (Keras&apos;s trainable=False): training keeps its weights as they
            are, as when reusing a trained network.
          </div>
        </div>
      )}
      {spec?.inputs === 'many' && (
        <div className="field">
          <label>Inputs, in order</label>
          <ol className="merge-inputs" data-testid="merge-inputs">
            {doc.edges
              .filter((e) => e.target === node.id)
              .sort((a, b) => a.targetPort - b.targetPort)
              .map((e) => (
                <li key={e.id}>{doc.nodes.find((n) => n.id === e.source)?.name ?? e.source}</li>
              ))}
          </ol>
          <div className="field-help">
            The order in which the connections were made; it matters for Subtract and Dot.
          </div>
        </div>
      )}
      <dl className="totals">
        <dt>Output shape</dt>
        <dd>{info?.outputShape ? formatShape(info.outputShape) : '—'}</dd>
        <dt>Params</dt>
        <dd data-testid="node-params">{(info?.params ?? 0).toLocaleString('en-US')}</dd>
        {info && info.trainableParams !== undefined && info.trainableParams !== info.params && (
          <>
            <dt>Trainable</dt>
            <dd data-testid="node-trainable">{info.trainableParams.toLocaleString('en-US')}</dd>
          </>
        )}
      </dl>
      {spec && !owner && <ParamsExplained doc={doc} node={node} analysis={analysis} />}
      {spec && !owner && <WindowView doc={doc} node={node} analysis={analysis} />}
      {info?.errors.map((e) => (
        <p key={e} className="error-text" role="alert">
          {e}
        </p>
      ))}
    </aside>
  )
}
