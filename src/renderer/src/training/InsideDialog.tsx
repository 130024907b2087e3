import { useEffect, useRef, useState } from 'react'
import type { NetDocument } from '../../../shared/graph/schema'
import type { DatasetSamples, Inspection, LayerActivation, NetwrightApi } from '../../../shared/ipc/contract'
import { errorMessage } from '../api'
import { Thumb } from '../datasets/Thumb'
import type { Run } from '../store/training'
import { CloseButton, Modal } from '../Modal'

/** One channel's map, drawn in grey from its 0-255 values, scaled up crisply. */
function MapCanvas({
  values,
  height,
  width,
  label,
}: {
  values: number[]
  height: number
  width: number
  label: string
}) {
  const ref = useRef<HTMLCanvasElement>(null)
  useEffect(() => {
    const ctx = ref.current?.getContext('2d')
    if (!ctx) return
    const img = ctx.createImageData(width, height)
    values.forEach((v, i) => img.data.set([v, v, v, 255], i * 4))
    ctx.putImageData(img, 0, 0)
  }, [values, height, width])
  return <canvas ref={ref} width={width} height={height} aria-label={label} title={label} />
}

function LayerView({ a }: { a: LayerActivation }) {
  if (a.kind === 'maps')
    return (
      <section className="inside-layer" data-testid={`feature-maps-${a.layer}`}>
        <h4>
          {a.layer} <span className="hint">({a.className})</span>: {a.channels} feature maps of {a.height} ×{' '}
          {a.width}
          {a.channels > a.maps.length ? `, the first ${a.maps.length} shown` : ''}
        </h4>
        <div className="maps">
          {a.maps.map((m, i) => (
            <MapCanvas
              key={i}
              values={m}
              height={a.height}
              width={a.width}
              label={`${a.layer}, channel ${i + 1}`}
            />
          ))}
        </div>
      </section>
    )
  const max = Math.max(1e-9, ...a.values.map(Math.abs))
  return (
    <section className="inside-layer" data-testid={`activations-${a.layer}`}>
      <h4>
        {a.layer} <span className="hint">({a.className})</span>: {a.size.toLocaleString('en-US')} values
        {a.size > a.values.length ? `, the first ${a.values.length} shown` : ''}
        {a.zeros ? ` · ${a.zeros.toLocaleString('en-US')} are 0` : ''}
      </h4>
      <div className="activation-strip" role="img" aria-label={`${a.layer}'s activations`}>
        {a.values.map((v, i) => (
          <span
            key={i}
            className={v < 0 ? 'neg' : v === 0 ? 'zero' : undefined}
            style={{ height: `${Math.max(1, (Math.abs(v) / max) * 40)}px` }}
            title={`unit ${i}: ${v}`}
          />
        ))}
      </div>
    </section>
  )
}

/**
 * Inside a trained model for one sample the user picks: the sample, the output's probabilities as
 * bars, and every layer's output on the way (feature maps after convolutions and pooling, the
 * activations of Dense layers).
 */
export function InsideDialog({
  api,
  run,
  doc,
  classes,
  onClose,
}: {
  api: NetwrightApi
  run: Run
  doc: NetDocument
  classes: string[]
  onClose: () => void
}) {
  const [split, setSplit] = useState<'test' | 'train'>('test')
  const [index, setIndex] = useState(0)
  const [look, setLook] = useState<Inspection | null>(null)
  const [sample, setSample] = useState<DatasetSamples | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  useEffect(() => {
    let live = true
    setBusy(true)
    setError(null)
    const d = run.dataset
    Promise.all([
      api.invoke('model.inspect', { document: doc, runId: run.id, split, index }),
      d
        ? api.invoke('datasets.samples', {
            id: d.id,
            options: d.options,
            seed: d.seed,
            split,
            indices: [index],
          })
        : Promise.resolve(null),
    ])
      .then(
        ([l, s]) => {
          if (!live) return
          setLook(l)
          setSample(s)
        },
        (err) => live && setError(errorMessage(err)),
      )
      .finally(() => live && setBusy(false))
    return () => {
      live = false
    }
  }, [api, doc, run.id, run.dataset, split, index])
  const count = look?.count ?? 0
  const name = (k: number) => classes[k] ?? String(k)
  const predicted = look ? look.output.indexOf(Math.max(...look.output)) : -1
  const image = sample?.images
  return (
    <Modal
      title="Inside the model, for one sample"
      className="inside-dialog"
      onClose={onClose}
      buttons={<CloseButton onClose={onClose} />}
    >
      <div className="inside-picker">
        <label>
          Split{' '}
          <select
            data-testid="inside-split"
            value={split}
            onChange={(e) => (setSplit(e.target.value as 'test' | 'train'), setIndex(0))}
          >
            <option value="test">test</option>
            <option value="train">train</option>
          </select>
        </label>
        <button
          onClick={() => setIndex((i) => Math.max(0, i - 1))}
          disabled={index === 0 || busy}
          aria-label="Previous sample"
        >
          ‹
        </button>
        <label>
          Sample{' '}
          <input
            data-testid="inside-index"
            type="number"
            min={0}
            max={Math.max(0, count - 1)}
            value={index}
            onChange={(e) => {
              const v = Math.floor(Number(e.target.value))
              if (Number.isFinite(v) && v >= 0 && (!count || v < count)) setIndex(v)
            }}
          />
        </label>
        <button
          data-testid="inside-next"
          onClick={() => setIndex((i) => i + 1)}
          disabled={busy || (count > 0 && index >= count - 1)}
          aria-label="Next sample"
        >
          ›
        </button>
        {count > 0 && <span className="hint">of {count.toLocaleString('en-US')}</span>}
        {busy && <span className="hint">Running the model…</span>}
      </div>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      {look && (
        <div className="inside-body" data-testid="inside-view" data-index={look.index}>
          <div className="inside-sample">
            {image?.samples[0] && (
              <Thumb
                pixels={image.samples[0].pixels}
                height={image.height}
                width={image.width}
                channels={image.channels}
                label={`true: ${name(look.actual)}`}
              />
            )}
            {!image && <p>true: {name(look.actual)}</p>}
            <div className="softmax-bars" data-testid="softmax-bars" aria-label="The output's probabilities">
              {look.output.map((p, k) => (
                <div
                  key={k}
                  className={`bar-row${k === predicted ? ' top' : ''}${k === look.actual ? ' truth' : ''}`}
                >
                  <span className="bar-label">{name(k)}</span>
                  <span className="bar" style={{ width: `${Math.max(0, Math.min(1, p)) * 100}%` }} />
                  <span className="bar-value" data-testid="softmax-value">
                    {(p * 100).toFixed(1)}%
                  </span>
                </div>
              ))}
            </div>
            <p className="hint">
              Predicted <b>{name(predicted)}</b>
              {predicted === look.actual ? ' (right)' : `, but it is ${name(look.actual)}`}.
            </p>
          </div>
          <div className="inside-layers">
            {look.layers.map((a) => (
              <LayerView key={a.layer} a={a} />
            ))}
          </div>
        </div>
      )}
    </Modal>
  )
}
