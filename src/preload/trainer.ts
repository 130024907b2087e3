// The trainer window's preload: one channel to the app's main process, `window.netwrightTrainer`,
// with `send` for the trainer's messages and `onMessage` for the jobs it is given. Nothing else.
import { contextBridge, ipcRenderer } from 'electron'

contextBridge.exposeInMainWorld('netwrightTrainer', {
  send(msg: unknown) {
    ipcRenderer.send('netwright:trainer', msg)
  },
  onMessage(listener: (msg: unknown) => void) {
    ipcRenderer.on('netwright:trainer', (_e, msg: unknown) => listener(msg))
  },
})
