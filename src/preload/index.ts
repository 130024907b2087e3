// Exposes the typed contract on window.netwright: `invoke` for the contract's calls and `on` for its
// events, nothing else. No logic lives here.
import { contextBridge, ipcRenderer } from 'electron'
import { EVENT_NAMES } from '../shared/ipc/events'

const EVENTS = new Set<string>(EVENT_NAMES)

contextBridge.exposeInMainWorld('netwright', {
  async invoke(method: string, request: unknown) {
    const r = (await ipcRenderer.invoke('netwright:invoke', method, request)) as
      { ok: true; result: unknown } | { ok: false; error: { code: string; message: string } }
    if (!r.ok) throw new Error(r.error.message)
    return r.result
  },
  on(event: string, listener: (payload: unknown) => void) {
    if (!EVENTS.has(event)) throw new Error(`Unknown event ${event}`)
    const handler = (_e: unknown, name: string, payload: unknown) => {
      if (name === event) listener(payload)
    }
    ipcRenderer.on('netwright:event', handler)
    return () => ipcRenderer.removeListener('netwright:event', handler)
  },
})
