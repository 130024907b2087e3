// Electron bootstrap only: the window, its hardening, native dialogs, and binding the service to
// ipcMain. Everything else is host-agnostic and lives in service/, trainer/ and datasets/.
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  session,
  utilityProcess,
  type IpcMainInvokeEvent,
} from 'electron'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createService } from './service'
import { toWireError } from './service/errors'
import { grantedFiles, PROJECT_EXT } from './service/files'
import { templatesDir } from './hosts/paths'
import type { TrainerLauncher } from './trainer/launch'
import type { FromTrainer } from './trainer/protocol'
import { withKerasRung } from './trainer/keras-launcher'
import { gpuFirstLauncher, windowLauncher, type TrainerWindow } from './trainer/window-launcher'
import type { FromWindowTrainer } from './trainer/window-trainer'

const here = fileURLToPath(new URL('.', import.meta.url))
const rendererUrl = process.env.ELECTRON_RENDERER_URL
let win: BrowserWindow | null = null

/** Trainer processes in the app are Electron utility processes: a crash there never takes the app down. */
const utilityLauncher: TrainerLauncher = () => {
  const child = utilityProcess.fork(join(here, 'trainer.js'), [], {
    serviceName: 'Netwright trainer',
    stdio: 'inherit',
  })
  let exited = false
  return {
    get pid() {
      return child.pid
    },
    send: (msg) => {
      if (!exited) child.postMessage(msg)
    },
    onMessage: (l) => child.on('message', (m) => l(m as FromTrainer)),
    onExit: (l) =>
      child.once('exit', (code) => {
        exited = true
        l(`exit code ${code}`)
      }),
    kill: () => {
      if (!exited) child.kill()
    },
  }
}

/** Every window's settings: its own preload only, isolated, sandboxed, no Node. */
const hardened = (preload: string) => ({
  preload: join(here, '../preload', preload),
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  webSecurity: true,
})

/** A window's page may neither navigate away nor open others. */
function lockedDown(w: BrowserWindow): Electron.WebContents {
  w.webContents.on('will-navigate', (e) => e.preventDefault())
  w.webContents.setWindowOpenHandler(() => ({ action: 'deny' }))
  return w.webContents
}

/**
 * A hidden window for training on Chromium's WebGPU / WebGL2: Dawn cannot run in Electron's Node,
 * so the GPU rungs live in a page (trainer.html), with a preload that gives it one IPC channel.
 */
function openTrainerWindow(): TrainerWindow {
  const w = new BrowserWindow({
    show: false,
    title: 'Netwright trainer',
    // A hidden window is throttled like a background tab unless told otherwise.
    webPreferences: { ...hardened('trainer.cjs'), backgroundThrottling: false },
  })
  const contents = lockedDown(w)
  const listeners: ((m: FromWindowTrainer) => void)[] = []
  const gone: ((how: string) => void)[] = []
  const onIpc = (e: Electron.IpcMainEvent, msg: unknown) => {
    if (e.sender === contents) listeners.forEach((l) => l(msg as FromWindowTrainer))
  }
  ipcMain.on('netwright:trainer', onIpc)
  let ended = false
  const end = (how: string) => {
    if (ended) return
    ended = true
    ipcMain.removeListener('netwright:trainer', onIpc)
    gone.forEach((l) => l(how))
  }
  contents.on('render-process-gone', (_e, d) => end(`the trainer window's page ended (${d.reason})`))
  w.on('closed', () => end('closed'))
  // Messages wait until the page has loaded and listens.
  const loaded = rendererUrl
    ? w.loadURL(new URL('trainer.html', rendererUrl).href)
    : w.loadFile(join(here, '../renderer/trainer.html'))
  return {
    send: (msg) => void loaded.then(() => !ended && contents.send('netwright:trainer', msg)),
    onMessage: (l) => listeners.push(l),
    onGone: (l) => gone.push(l),
    close: () => {
      if (!w.isDestroyed()) w.destroy()
    },
  }
}

// Chromium on Linux offers WebGPU only behind this switch; the app's only WebGPU page is its own.
if (process.platform === 'linux') app.commandLine.appendSwitch('enable-unsafe-webgpu')

const files = grantedFiles()
const filters = [{ name: 'Netwright project', extensions: ['json'] }]
const openFilters = [
  { name: 'Netwright project, Keras or TensorFlow.js model', extensions: ['json', 'keras', 'h5'] },
]
const service = createService({
  host: 'electron',
  launcher: withKerasRung(gpuFirstLauncher(utilityLauncher, windowLauncher(openTrainerWindow))),
  files,
  templatesDir: templatesDir(),
  dialogs: {
    async open() {
      const r = await dialog.showOpenDialog(win!, { properties: ['openFile'], filters: openFilters })
      const path = r.canceled ? null : (r.filePaths[0] ?? null)
      if (path) files.grant(path)
      return path
    },
    async openData(kind) {
      const r = await dialog.showOpenDialog(
        win!,
        kind === 'folder'
          ? { title: 'Choose an image folder (one subfolder per class)', properties: ['openDirectory'] }
          : { properties: ['openFile'], filters: [{ name: 'CSV table', extensions: ['csv', 'txt'] }] },
      )
      const path = r.canceled ? null : (r.filePaths[0] ?? null)
      if (path) files.grant(path)
      return path
    },
    async chooseFolder() {
      const r = await dialog.showOpenDialog(win!, {
        title: 'Export into this folder',
        properties: ['openDirectory', 'createDirectory'],
      })
      const path = r.canceled ? null : (r.filePaths[0] ?? null)
      if (path) files.grant(path)
      return path
    },
    async save(suggestedName) {
      const r = await dialog.showSaveDialog(win!, {
        defaultPath: suggestedName ?? `model${PROJECT_EXT}`,
        filters,
      })
      const path = r.canceled || !r.filePath ? null : r.filePath
      if (path) files.grant(path)
      return path
    },
  },
})

function trustedSender(e: IpcMainInvokeEvent): boolean {
  const url = e.senderFrame?.url ?? ''
  return (
    e.sender === win?.webContents && (rendererUrl ? url.startsWith(rendererUrl) : url.startsWith('file://'))
  )
}

ipcMain.handle('netwright:invoke', async (e, method: unknown, request: unknown) => {
  if (!trustedSender(e)) return { ok: false, error: { code: 'forbidden', message: 'Untrusted sender.' } }
  try {
    return { ok: true, result: await service.dispatch(method, request) }
  } catch (err) {
    return { ok: false, error: toWireError(err) }
  }
})
service.subscribe((event, payload) => win?.webContents.send('netwright:event', event, payload))

function createWindow(): void {
  win = new BrowserWindow({
    width: 1400,
    height: 900,
    show: false,
    title: 'Netwright',
    webPreferences: hardened('index.cjs'),
  })
  const contents = lockedDown(win)
  // The page asks before unloading with unsaved changes; Electron hands that question to us.
  contents.on('will-prevent-unload', (e) => {
    const choice = dialog.showMessageBoxSync(win!, {
      type: 'question',
      buttons: ['Discard changes', 'Cancel'],
      defaultId: 1,
      cancelId: 1,
      message: 'This project has unsaved changes.',
      detail: 'Close anyway and lose them?',
    })
    if (choice === 0) e.preventDefault()
  })
  win.once('ready-to-show', () => win?.show())
  if (rendererUrl) void win.loadURL(rendererUrl)
  else void win.loadFile(join(here, '../renderer/index.html'))
}

app.on('web-contents-created', (_e, contents) => {
  contents.on('will-attach-webview', (e) => e.preventDefault())
})

void app.whenReady().then(() => {
  session.defaultSession.setPermissionRequestHandler((_wc, _perm, cb) => cb(false))
  Menu.setApplicationMenu(
    Menu.buildFromTemplate([
      { role: 'fileMenu' },
      {
        label: 'Edit',
        submenu: [{ role: 'cut' }, { role: 'copy' }, { role: 'paste' }, { role: 'selectAll' }],
      },
      { role: 'viewMenu' },
      { role: 'windowMenu' },
    ]),
  )
  createWindow()
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow()
  })
})

app.on('window-all-closed', () => {
  service.shutdown()
  if (process.platform !== 'darwin') app.quit()
})
