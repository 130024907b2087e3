import { useEffect, useState } from 'react'
import type { Analysis } from '../../../shared/graph/analyze'
import { LOSSES, OPTIMIZERS } from '../../../shared/graph/schema'
import type { DatasetInfo, NetwrightApi, SystemInfo } from '../../../shared/ipc/contract'
import { DatasetBrowser } from '../datasets/DatasetBrowser'
import { DatasetOptions } from '../datasets/DatasetOptions'
import { usePreview } from '../datasets/usePreview'
import { errorMessage } from '../api'
import { LearningRateDialog } from './LearningRateDialog'
import { NumberField, SelectField } from '../inspector/Field'
import { useDoc } from '../store/document'
import { BackendField } from './BackendField'
import { CallbacksField } from './CallbacksField'
import { OutputLosses } from './OutputLosses'
import { TrainButtons } from './TrainButtons'
import {
  describeRun,
  isLive,
  modelKey,
  NO_RUN,
  runDataset,
  runSettings,
  runsFor,
  useTraining,
} from '../store/training'
import { LiveViews } from './LiveViews'
import { statusLine } from './statusLine'
import { TestResults } from './TestResults'
import { CompareView, RunsList } from './RunsList'

const sameShape = (a: readonly unknown[], b: readonly unknown[]) =>
  a.length === b.length && a.every((v, i) => v === b[i])
const size = (s: readonly unknown[]) => s.reduce<number>((a, b) => a * (typeof b === 'number' ? b : NaN), 1)

export function TrainingPanel({
  api,
  analysis,
  info,
  onExport,
  fold,
}: {
  api: NetwrightApi
  analysis: Analysis
  info: SystemInfo | null
  /** Opens the export dialog for a run's weights. */
  onExport: (runId: string) => void
  /** Whether the panel is folded to its bar, and how to fold or unfold it (the layout's). */
  fold?: { folded: boolean; toggle: () => void }
}) {
  const doc = useDoc((s) => s.doc)
  const path = useDoc((s) => s.path)
  const edit = useDoc((s) => s.edit)
  const {
    runs,
    viewing,
    startError,
    begin,
    setStartError,
    view,
    startFrom,
    setStartFrom,
    backend,
    setBackend,
  } = useTraining()
  // Weights to start from: only runs whose layers are this model's.
  const fitting = runsFor(runs, doc)
  const from = fitting.find((r) => r.id === startFrom)
  const [datasets, setDatasets] = useState<DatasetInfo[]>([])
  const [browsing, setBrowsing] = useState(false)
  const [findingRate, setFindingRate] = useState(false)
  const [listVersion, setListVersion] = useState(0)
  const shape = usePreview(api, doc.dataset.id, doc.dataset.options, doc.training.seed, listVersion)
  const inputs = doc.nodes.filter((n) => n.className === 'InputLayer')
  const inputShape = (inputs.length === 1 ? inputs[0]!.params.shape : null) as number[] | null
  const dataShape = shape.preview?.sampleShape
  // The Input follows the dataset: a different number of values per sample cannot train.
  const mismatch =
    inputShape && dataShape && dataShape.length > 0 && size(inputShape) !== size(dataShape) ? dataShape : null
  const fitInput = (to: number[]) =>
    edit((d) => ({
      ...d,
      nodes: d.nodes.map((n) =>
        n.className === 'InputLayer' ? { ...n, params: { ...n.params, shape: to } } : n,
      ),
    }))
  const pathHelp =
    info?.host === 'browser' && info.workspace
      ? `A path inside the workspace folder ${info.workspace}, e.g. data/my.csv.`
      : 'The full path of the file or folder.'
  const choosePath = info?.nativeDialogs
    ? (kind: 'csv' | 'folder') =>
        api.invoke('dialog.openData', { kind }).then(
          (r) => r.path,
          (e) => {
            setStartError(errorMessage(e))
            return null
          },
        )
    : undefined
  const live = runs.find((r) => isLive(r))
  const compare = useTraining((s) => s.compare)
  const compared = runs.filter((r) => compare.includes(r.id))
  const shown = viewing === NO_RUN ? undefined : (runs.find((r) => r.id === viewing) ?? runs.at(-1))

  useEffect(() => {
    api.invoke('datasets.list', {}).then(setDatasets, (e) => setStartError(errorMessage(e)))
  }, [api, setStartError, listVersion])

  const train = async () => {
    setStartError(null)
    if (!analysis.ok) {
      setStartError(`Fix the model first: ${analysis.problems[0]?.message}`)
      return
    }
    try {
      const { runId } = await api.invoke('training.start', {
        document: doc,
        // A saved project keeps its runs beside it, for later sessions.
        ...(path ? { project: path } : {}),
        ...(from ? { fromRun: from.id } : {}),
        ...(backend ? { backend } : {}),
      })
      begin(
        runId,
        `${doc.name} · ${doc.nodes.length} layers · ${analysis.totalParams.toLocaleString('en-US')} params · ${doc.dataset.id}${from ? ` · from ${from.label}` : ''}`,
        modelKey(doc),
        runDataset(doc),
        runSettings(doc, analysis.totalParams),
      )
    } catch (e) {
      setStartError(errorMessage(e))
    }
  }
  const setTraining = (patch: Partial<typeof doc.training>) =>
    edit((d) => ({ ...d, training: { ...d.training, ...patch } }))
  const setCompile = (patch: Partial<typeof doc.compile>) =>
    edit((d) => ({ ...d, compile: { ...d.compile, ...patch } }))
  const ds = datasets.find((d) => d.id === doc.dataset.id)

  return (
    <section className="training" aria-label="Training">
      <div className="training-bar">
        <TrainButtons api={api} live={live} onTrain={train} />
        <div
          className={`status-line state-${shown?.status.state ?? 'idle'}`}
          data-testid="status-line"
          role="status"
          title={shown?.backends?.map((b) => `${b.name}: ${b.detail}`).join('\n')}
        >
          {statusLine(shown)}
        </div>
        {fold && (
          <button
            className="fold"
            data-testid="fold-training"
            onClick={fold.toggle}
            aria-expanded={!fold.folded}
            title={
              fold.folded ? 'Show the training settings and charts' : 'Fold the training panel to this bar'
            }
          >
            {fold.folded ? '▴ Show' : '▾ Fold'}
          </button>
        )}
      </div>
      <div className="training-body" style={fold?.folded ? { display: 'none' } : undefined}>
        <div className="training-settings">
          <SelectField
            label="Dataset"
            testId="dataset"
            value={doc.dataset.id}
            options={[
              // Names only, so that none is cut off; whether it is downloaded is said below.
              ...datasets.map((d) => ({ value: d.id, label: d.name })),
              // A project can name a dataset this version does not have yet (e.g. a template for MNIST).
              ...(datasets.some((d) => d.id === doc.dataset.id)
                ? []
                : [{ value: doc.dataset.id, label: `${doc.dataset.id} (not available in this version)` }]),
            ]}
            onChange={(id) =>
              edit((d) => ({
                ...d,
                dataset: { id, options: { ...(datasets.find((x) => x.id === id)?.defaultOptions ?? {}) } },
              }))
            }
            help={
              ds
                ? `${ds.source === 'keras' ? (ds.loadable ? (ds.cached ? 'Downloaded. ' : 'Downloads when first used. ') : 'Not in this version yet. ') : ''}${ds.description}${shape.preview ? ` Samples: [${shape.preview.sampleShape.join(', ')}], ${shape.preview.task === 'regression' ? 'a number to predict' : `${shape.preview.classes.length} classes`}.` : ''}`
                : undefined
            }
          />
          <button data-testid="browse-datasets" onClick={() => setBrowsing(true)}>
            Datasets…
          </button>
          {ds && ds.options.length > 0 && (
            <details className="dataset-settings" open={ds.source === 'csv' || ds.source === 'images'}>
              <summary>Dataset settings</summary>
              <DatasetOptions
                info={ds}
                values={doc.dataset.options}
                pathHelp={pathHelp}
                choosePath={choosePath}
                onChange={(k, v) =>
                  edit((d) => ({
                    ...d,
                    dataset: { ...d.dataset, options: { ...d.dataset.options, [k]: v } },
                  }))
                }
              />
            </details>
          )}
          {shape.error && (
            <div className="error-banner" role="alert" data-testid="dataset-error">
              {shape.error}
            </div>
          )}
          {mismatch && inputShape && (
            <div className="warning-banner" role="alert" data-testid="input-mismatch">
              The Input layer takes [{inputShape.join(', ')}] ({size(inputShape)} values a sample), but this
              dataset gives [{mismatch.join(', ')}] ({size(mismatch)}).{' '}
              <button data-testid="fit-input" onClick={() => fitInput(mismatch)}>
                Set the Input to [{mismatch.join(', ')}]
              </button>
            </div>
          )}
          {!mismatch &&
            inputShape &&
            dataShape &&
            dataShape.length > 0 &&
            !sameShape(inputShape, dataShape) && (
              <p className="hint" data-testid="input-reshaped">
                Each [{dataShape.join(', ')}] sample is reshaped to the Input&apos;s [{inputShape.join(', ')}
                ].
              </p>
            )}
          {findingRate && (
            <LearningRateDialog
              api={api}
              doc={doc}
              onClose={() => setFindingRate(false)}
              onUse={(learningRate) => {
                setCompile({ learningRate })
                setFindingRate(false)
              }}
            />
          )}
          {browsing && (
            <DatasetBrowser
              api={api}
              datasets={datasets}
              current={doc.dataset}
              seed={doc.training.seed}
              pathHelp={pathHelp}
              choosePath={choosePath}
              onClose={() => setBrowsing(false)}
              onListChanged={() => setListVersion((v) => v + 1)}
              onUse={(choice) => {
                edit((d) => ({ ...d, dataset: { id: choice.id, options: choice.options } }))
                setBrowsing(false)
              }}
            />
          )}
          <NumberField
            label="Epochs"
            testId="epochs"
            value={doc.training.epochs}
            limits={{ integer: true, min: 1, max: 10000 }}
            onCommit={(epochs) => setTraining({ epochs })}
          />
          <NumberField
            label="Batch size"
            testId="batch-size"
            value={doc.training.batchSize}
            limits={{ integer: true, min: 1, max: 65536 }}
            onCommit={(batchSize) => setTraining({ batchSize })}
          />
          <SelectField
            label="Optimizer"
            testId="optimizer"
            value={doc.compile.optimizer}
            options={OPTIMIZERS}
            onChange={(optimizer) => setCompile({ optimizer })}
          />
          <NumberField
            label="Learning rate"
            testId="learning-rate"
            value={doc.compile.learningRate}
            limits={{ min: 1e-7, max: 10 }}
            onCommit={(learningRate) => setCompile({ learningRate })}
            help={
              <button className="link" data-testid="lr-find" onClick={() => setFindingRate(true)}>
                Its effect…
              </button>
            }
          />
          <SelectField
            label="Loss"
            testId="loss"
            wide
            value={doc.compile.loss}
            options={LOSSES}
            onChange={(loss) => setCompile({ loss })}
            help={
              shape.preview?.task === 'regression'
                ? 'Targets are the numbers to predict.'
                : doc.compile.loss === 'sparse_categorical_crossentropy'
                  ? 'Labels are given as class numbers (sparse).'
                  : doc.compile.loss === 'categorical_crossentropy'
                    ? 'Labels are given one-hot: a vector with a 1 for the class.'
                    : undefined
            }
          />
          <OutputLosses doc={doc} analysis={analysis} setCompile={setCompile} />
          <NumberField
            label="Validation split"
            testId="validation-split"
            value={doc.training.validationSplit}
            limits={{ min: 0, max: 0.9 }}
            onCommit={(validationSplit) => setTraining({ validationSplit })}
          />
          {fitting.length > 0 && (
            <label className="field">
              Start from
              <select
                data-testid="start-from"
                value={from?.id ?? ''}
                onChange={(e) => setStartFrom(e.target.value || null)}
                title="Fine-tune: train on from a run's weights instead of fresh ones"
              >
                <option value="">Fresh weights</option>
                {fitting.map((r) => (
                  <option key={r.id} value={r.id}>
                    {describeRun(r)}
                  </option>
                ))}
              </select>
            </label>
          )}
          <BackendField info={info} backend={backend} onChange={setBackend} />
          <CallbacksField
            callbacks={doc.training.callbacks}
            onChange={(callbacks) => setTraining({ callbacks })}
          />
        </div>
        <div className="training-main">
          {shown?.record && !isLive(shown) && (
            <div className="run-actions">
              <button data-testid="export-run" onClick={() => onExport(shown.id)}>
                Export these weights…
              </button>
              {runsFor([shown], doc).length > 0 && (
                <button
                  data-testid="train-on"
                  onClick={() => setStartFrom(shown.id)}
                  disabled={startFrom === shown.id}
                  title="The next Train starts from this run's weights"
                >
                  {startFrom === shown.id ? 'Next Train starts here' : 'Train on from here'}
                </button>
              )}
            </div>
          )}
          <TestResults api={api} run={shown} doc={doc} />
          {startError && (
            <div className="error-banner" role="alert" data-testid="train-error">
              {startError}
            </div>
          )}
          {shown?.status.state === 'failed' && (
            <div className="error-banner" role="alert" data-testid="run-error">
              {shown.status.message}
            </div>
          )}
          {shown?.backends && (
            <details className="backends">
              <summary>Why this backend?</summary>
              <ul>
                {shown.backends.map((b) => (
                  <li key={b.name}>
                    <b>{b.name}</b>: {b.detail}
                  </li>
                ))}
              </ul>
            </details>
          )}
          {compared.length >= 2 ? (
            <CompareView runs={compared} />
          ) : (
            <LiveViews
              run={shown}
              preview={shown?.dataset?.id === doc.dataset.id ? shape.preview : undefined}
            />
          )}
        </div>
        <RunsList runs={runs} shown={shown} onView={view} />
      </div>
    </section>
  )
}
