import { useEffect, useState } from 'react'
import type { DatasetPreview, NetwrightApi } from '../../../shared/ipc/contract'
import { errorMessage } from '../api'

/** Loads a dataset's preview whenever its id or options change (after a short pause), with its error. */
export function usePreview(
  api: NetwrightApi,
  id: string,
  options: Record<string, unknown>,
  seed: number,
  refresh = 0,
): { preview: DatasetPreview | null; error: string | null; loading: boolean } {
  const [state, setState] = useState<{
    preview: DatasetPreview | null
    error: string | null
    loading: boolean
  }>({
    preview: null,
    error: null,
    loading: true,
  })
  const key = JSON.stringify([id, options, seed, refresh])
  useEffect(() => {
    let live = true
    setState((s) => ({ ...s, loading: true }))
    const timer = setTimeout(() => {
      const [i, o, sd] = JSON.parse(key) as [string, Record<string, unknown>, number]
      api.invoke('datasets.preview', { id: i, options: o, seed: sd }).then(
        (preview) => live && setState({ preview, error: null, loading: false }),
        (e) => live && setState({ preview: null, error: errorMessage(e), loading: false }),
      )
    }, 200)
    return () => {
      live = false
      clearTimeout(timer)
    }
  }, [api, key])
  return state
}
