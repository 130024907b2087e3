import { useCallback, useEffect, useState } from 'react'
import type { NetwrightApi, SystemInfo } from '../../../shared/ipc/contract'
import { errorMessage } from '../api'
import { emptyDocument, isDirty, useDoc } from '../store/document'
import { describeRun, runsFor, useTraining } from '../store/training'

export const DRAFT_KEY = 'netwright.draft'

const confirmDiscard = (): boolean =>
  !isDirty(useDoc.getState()) || window.confirm('This project has unsaved changes. Discard them?')

/** New / open / save / save as, with the host's dialogs, and never a silent loss of unsaved work. */
export function useProject(api: NetwrightApi, info: SystemInfo | null) {
  const [dialog, setDialog] = useState<'open' | 'save' | null>(null)
  const [message, setMessage] = useState<{ kind: 'error' | 'info'; text: string } | null>(null)

  const openPath = useCallback(
    async (path: string) => {
      try {
        const r = await api.invoke('project.open', { path })
        // An imported Keras / tfjs model becomes a new project: saving must not overwrite the model file.
        useDoc.getState().load(r.document, r.imported ? null : r.path)
        useTraining.getState().resetView()
        if (r.history) useTraining.getState().addHistory(r.history)
        if (r.run) useTraining.getState().addRecord(r.run, r.document)
        const notes = r.warnings.length ? `\n${r.warnings.join('\n')}` : ''
        const weights = r.run
          ? r.run.source === 'imported'
            ? ' with its trained weights (Train starts from them)'
            : ` with its kept run (${r.run.epochsDone} epochs)`
          : ''
        const earlier = r.history?.length
          ? ` and ${r.history.length} earlier run${r.history.length === 1 ? '' : 's'}`
          : ''
        setMessage({
          kind: 'info',
          text: `${r.imported ? 'Imported' : 'Opened'} ${r.path}${weights}${earlier}${notes}`,
        })
      } catch (e) {
        // The current project stays as it was: nothing is lost.
        setMessage({ kind: 'error', text: errorMessage(e) })
      }
    },
    [api],
  )

  // A project the operating system asked the app to open (double-clicked, or given on the command
  // line): asked for at start and whenever the host says there is a new one.
  useEffect(() => {
    let alive = true
    const openLaunched = async () => {
      try {
        const { paths } = await api.invoke('dialog.launched', {})
        // One window shows one project: the last one asked for.
        const path = paths.at(-1)
        if (alive && path && confirmDiscard()) await openPath(path)
      } catch (e) {
        if (alive) setMessage({ kind: 'error', text: errorMessage(e) })
      }
    }
    void openLaunched()
    const off = api.on('dialog.launched', () => void openLaunched())
    return () => {
      alive = false
      off()
    }
  }, [api, openPath])

  const saveTo = useCallback(
    async (path: string) => {
      try {
        const doc = useDoc.getState().doc
        // The best run whose weights fit this model is kept beside the project.
        const best = runsFor(useTraining.getState().runs, doc)[0]
        const r = await api.invoke('project.save', {
          path,
          document: doc,
          ...(best ? { keepRun: best.id } : {}),
        })
        if (useDoc.getState().doc === doc) useDoc.getState().markSaved(r.path)
        else useDoc.setState({ path: r.path })
        localStorage.removeItem(DRAFT_KEY)
        setMessage({
          kind: 'info',
          text: `Saved ${r.path}${best ? ` with the weights of ${describeRun(best)}` : ''}`,
        })
      } catch (e) {
        setMessage({ kind: 'error', text: errorMessage(e) })
      }
    },
    [api],
  )

  const saveAs = useCallback(async () => {
    if (info?.nativeDialogs) {
      const name = `${useDoc.getState().doc.name.replace(/[^\w-]+/g, '-')}.netwright.json`
      const r = await api.invoke('dialog.save', { suggestedName: name })
      if (r.path) await saveTo(r.path)
    } else setDialog('save')
  }, [api, info, saveTo])

  const save = useCallback(async () => {
    const path = useDoc.getState().path
    if (path) await saveTo(path)
    else await saveAs()
  }, [saveTo, saveAs])

  const open = useCallback(async () => {
    if (!confirmDiscard()) return
    if (info?.nativeDialogs) {
      const r = await api.invoke('dialog.open', {})
      if (r.path) await openPath(r.path)
    } else setDialog('open')
  }, [api, info, openPath])

  const newProject = useCallback(() => {
    if (!confirmDiscard()) return
    useDoc.getState().load(emptyDocument(), null)
    useTraining.getState().resetView()
    setMessage(null)
  }, [])

  const openTemplate = useCallback(
    async (name: string) => {
      if (!confirmDiscard()) return
      try {
        const r = await api.invoke('project.template', { name })
        useDoc.getState().load(r.document, null)
        useTraining.getState().resetView()
      } catch (e) {
        setMessage({ kind: 'error', text: errorMessage(e) })
      }
    },
    [api],
  )

  const chooseFromDialog = useCallback(
    (path: string) => {
      const mode = dialog
      setDialog(null)
      if (mode === 'open') void openPath(path)
      else if (mode === 'save') void saveTo(path)
    },
    [dialog, openPath, saveTo],
  )

  return {
    dialog,
    setDialog,
    message,
    setMessage,
    open,
    save,
    saveAs,
    newProject,
    openTemplate,
    chooseFromDialog,
  }
}
