import { ReactFlowProvider } from '@xyflow/react'
import { useEffect, useMemo, useState } from 'react'
import { analyze } from '../../shared/graph/analyze'
import { preflight, withChecks } from '../../shared/graph/preflight'
import { usePreview } from './datasets/usePreview'
import { validateDocument } from '../../shared/graph/load'
import type { NetwrightApi, SystemInfo } from '../../shared/ipc/contract'
import { Canvas } from './editor/Canvas'
import { ExportDialog, type ExportChoice } from './files/ExportDialog'
import { FileDialog } from './files/FileDialog'
import { TemplateGallery } from './files/TemplateGallery'
import { SummaryDialog } from './inspector/SummaryDialog'
import { DRAFT_KEY, useProject } from './files/useProject'
import { Inspector } from './inspector/Inspector'
import { Layout } from './Layout'
import { Palette } from './palette/Palette'
import { isDirty, useDoc } from './store/document'
import { useTraining } from './store/training'
import { TrainingPanel } from './training/TrainingPanel'

const DEFAULT_TEMPLATE = 'shapes-mlp'

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null
  return (
    !!el &&
    (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable)
  )
}

export function App({ api, connected }: { api: NetwrightApi; connected: boolean }) {
  const doc = useDoc((s) => s.doc)
  const path = useDoc((s) => s.path)
  const dirty = useDoc(isDirty)
  const canUndo = useDoc((s) => s.past.length > 0)
  const canRedo = useDoc((s) => s.future.length > 0)
  const offer = useDoc((s) => s.offer)
  const graph = useMemo(() => analyze(doc), [doc])
  // The model against its dataset, before Train: the output's units and activation, the Input's shape.
  const { preview } = usePreview(api, doc.dataset.id, doc.dataset.options, doc.training.seed)
  const analysis = useMemo(
    () =>
      withChecks(
        graph,
        preflight(
          doc,
          graph,
          preview && preview.id === doc.dataset.id
            ? {
                id: preview.id,
                task: preview.task,
                classes: preview.classes,
                sampleShape: preview.sampleShape,
              }
            : null,
        ),
      ),
    [doc, graph, preview],
  )
  const [info, setInfo] = useState<SystemInfo | null>(null)
  const [draft, setDraft] = useState<{ doc: unknown; at: number } | null>(null)
  const [gallery, setGallery] = useState(false)
  const [summary, setSummary] = useState(false)
  const [exporting, setExporting] = useState<ExportChoice | null>(null)
  const project = useProject(api, info)
  // A useState setter: stable, so the start-up effect below runs once per api.
  const { setMessage } = project

  // Start-up: the default project, and an offer to restore unsaved work from last time.
  useEffect(() => {
    api.invoke('system.info', {}).then(setInfo, () => {})
    const saved = localStorage.getItem(DRAFT_KEY)
    if (saved) {
      try {
        setDraft(JSON.parse(saved) as { doc: unknown; at: number })
      } catch {
        localStorage.removeItem(DRAFT_KEY)
      }
    }
    void api.invoke('project.template', { name: DEFAULT_TEMPLATE }).then(
      (r) => {
        if (useDoc.getState().doc.nodes.length === 0 && !useDoc.getState().past.length)
          useDoc.getState().load(r.document, null)
      },
      (e) => setMessage({ kind: 'error', text: String(e.message ?? e) }),
    )
    const offStatus = api.on('training.status', (s) => useTraining.getState().onStatus(s))
    const offMetrics = api.on('training.metrics', (m) => useTraining.getState().onMetrics(m))
    return () => {
      offStatus()
      offMetrics()
    }
  }, [api, setMessage])

  // Keep a draft of unsaved work, so a crash or a closed tab loses nothing.
  useEffect(() => {
    const t = setTimeout(() => {
      const s = useDoc.getState()
      if (isDirty(s))
        localStorage.setItem(DRAFT_KEY, JSON.stringify({ doc: s.doc, path: s.path, at: Date.now() }))
    }, 400)
    return () => clearTimeout(t)
  }, [doc])

  useEffect(() => {
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      if (isDirty(useDoc.getState())) {
        e.preventDefault()
        e.returnValue = ''
      }
    }
    window.addEventListener('beforeunload', onBeforeUnload)
    return () => window.removeEventListener('beforeunload', onBeforeUnload)
  }, [])

  useEffect(() => {
    document.title = `${dirty ? '• ' : ''}${path ?? doc.name} — Netwright`
  }, [dirty, path, doc.name])

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const mod = e.ctrlKey || e.metaKey
      if (!mod) return
      const k = e.key.toLowerCase()
      if (k === 's') {
        e.preventDefault()
        void (e.shiftKey ? project.saveAs() : project.save())
      } else if (k === 'o') {
        e.preventDefault()
        void project.open()
      } else if (k === 'e') {
        e.preventDefault()
        setExporting({ format: 'python' })
      } else if (isTyping(e.target)) {
        return
      } else if (k === 'a') {
        e.preventDefault()
        useDoc.getState().selectAll()
      } else if (k === 'c') {
        useDoc.getState().copy()
      } else if (k === 'v') {
        useDoc.getState().paste()
      } else if (k === 'd') {
        e.preventDefault()
        useDoc.getState().duplicate()
      } else if (k === 'z' && !e.shiftKey) {
        e.preventDefault()
        useDoc.getState().undo()
      } else if ((k === 'z' && e.shiftKey) || k === 'y') {
        e.preventDefault()
        useDoc.getState().redo()
      }
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [project])

  const restoreDraft = () => {
    if (!draft) return
    try {
      const d = validateDocument(draft.doc, 'The unsaved draft')
      const s = useDoc.getState()
      s.load(s.doc, null)
      s.edit(() => d)
      useDoc.setState({ path: (draft as { path?: string | null }).path ?? null })
    } catch (e) {
      project.setMessage({ kind: 'error', text: (e as Error).message })
    }
    setDraft(null)
  }

  return (
    <div className="app">
      <header className="toolbar">
        <span className="brand">Netwright</span>
        <button onClick={project.newProject} data-testid="new">
          New
        </button>
        <button onClick={() => setGallery(true)} data-testid="templates">
          New from template…
        </button>
        <button onClick={() => void project.open()} data-testid="open" title="Ctrl+O">
          Open…
        </button>
        <button onClick={() => void project.save()} data-testid="save" title="Ctrl+S">
          Save
        </button>
        <button onClick={() => void project.saveAs()} data-testid="save-as" title="Ctrl+Shift+S">
          Save as…
        </button>
        <button
          onClick={() => setExporting({ format: 'python' })}
          data-testid="export"
          title="Export the model: TensorFlow.js, Keras JSON, Python, PyTorch, diagram (Ctrl+E)"
        >
          Export…
        </button>
        <span className="sep" />
        <button
          onClick={() => useDoc.getState().undo()}
          disabled={!canUndo}
          data-testid="undo"
          title="Ctrl+Z"
        >
          Undo
        </button>
        <button
          onClick={() => useDoc.getState().redo()}
          disabled={!canRedo}
          data-testid="redo"
          title="Ctrl+Shift+Z / Ctrl+Y"
        >
          Redo
        </button>
        <button
          onClick={() => setSummary(true)}
          data-testid="summary"
          title="The model as Keras's model.summary() prints it"
        >
          Summary
        </button>
        <button
          onClick={() => useDoc.getState().requestTidy()}
          data-testid="tidy"
          title="Lay the graph out again"
        >
          Tidy up
        </button>
        <span className="doc-title" data-testid="doc-title" title={path ?? 'Unsaved project'}>
          {path ?? 'Unsaved project'}
          {dirty ? ' •' : ''}
        </span>
        <span className="totals-inline" data-testid="total-params">
          Total params: {analysis.totalParams.toLocaleString('en-US')} · Trainable:{' '}
          {analysis.trainableParams.toLocaleString('en-US')}
        </span>
        <span
          className={`host ${connected ? '' : 'offline'}`}
          data-testid="host"
          title={info?.backends.map((b) => `${b.name}: ${b.detail}`).join('\n')}
        >
          {connected
            ? `${info?.host ?? '…'} host · ${info?.chosenBackend ?? 'probing backends…'}`
            : 'Disconnected from the server'}
        </span>
      </header>
      {draft && (
        <div className="banner" role="alert" data-testid="draft-banner">
          Unsaved changes from {new Date(draft.at).toLocaleString()} were found.
          <button onClick={restoreDraft}>Restore</button>
          <button
            onClick={() => {
              localStorage.removeItem(DRAFT_KEY)
              setDraft(null)
            }}
          >
            Discard
          </button>
        </div>
      )}
      {offer && (
        <div className="banner" role="alert" data-testid="functional-offer">
          {offer.reason} Convert the model to Functional and make this connection?
          <button
            className="primary"
            onClick={() => useDoc.getState().acceptOffer()}
            data-testid="accept-functional"
          >
            Convert to Functional
          </button>
          <button onClick={() => useDoc.getState().dismissOffer()}>Cancel</button>
        </div>
      )}
      {project.message && (
        <div
          className={project.message.kind === 'error' ? 'banner error' : 'banner'}
          role={project.message.kind === 'error' ? 'alert' : 'status'}
          data-testid="file-message"
        >
          {project.message.text}
          <button onClick={() => project.setMessage(null)} aria-label="Dismiss">
            ×
          </button>
        </div>
      )}
      <Layout
        palette={<Palette />}
        canvas={
          <ReactFlowProvider>
            <Canvas analysis={analysis} />
          </ReactFlowProvider>
        }
        side={
          <div className="side" data-testid="inspector-column">
            <Inspector analysis={analysis} />
            <section className="problems" aria-label="Problems" data-testid="problems">
              <h3>Problems ({analysis.problems.length})</h3>
              {analysis.problems.length === 0 ? (
                <p className="hint">None: the model is ready to train.</p>
              ) : (
                <ul>
                  {analysis.problems.map((p, i) => (
                    <li
                      key={i}
                      className={'severity' in p && p.severity === 'warning' ? 'warning' : undefined}
                      data-testid="problem"
                    >
                      <button
                        className="link"
                        onClick={() => p.nodeId && useDoc.getState().select([p.nodeId])}
                      >
                        {p.nodeId ? `${doc.nodes.find((n) => n.id === p.nodeId)?.name}: ` : ''}
                        {p.message}
                      </button>
                    </li>
                  ))}
                </ul>
              )}
            </section>
          </div>
        }
        training={(fold) => (
          <TrainingPanel
            fold={fold}
            api={api}
            analysis={analysis}
            info={info}
            onExport={(runId) => setExporting({ format: 'tfjs', runId })}
          />
        )}
      />
      {summary && <SummaryDialog doc={doc} analysis={graph} onClose={() => setSummary(false)} />}
      {exporting && (
        <ExportDialog
          api={api}
          info={info}
          initial={exporting}
          onCancel={() => setExporting(null)}
          onDone={(text) => {
            setExporting(null)
            project.setMessage({ kind: 'info', text })
          }}
        />
      )}
      {gallery && (
        <TemplateGallery
          api={api}
          onChoose={(name) => {
            setGallery(false)
            void project.openTemplate(name)
          }}
          onCancel={() => setGallery(false)}
        />
      )}
      {project.dialog && (
        <FileDialog
          api={api}
          mode={project.dialog}
          suggestedName={path ?? `${doc.name.replace(/[^\w-]+/g, '-').toLowerCase()}.netwright.json`}
          onChoose={project.chooseFromDialog}
          onCancel={() => project.setDialog(null)}
        />
      )}
    </div>
  )
}
