// Electron bootstrap only: the window, its hardening, native dialogs, and binding the service to
// ipcMain. Everything else is host-agnostic and lives in service/, trainer/ and datasets/.
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  protocol,
  session,
  utilityProcess,
  type IpcMainEvent,
  type IpcMainInvokeEvent,
} from 'electron'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { APP_SCHEME, appFile, appUrl } from './app-protocol'
import {
  appMenuTemplate,
  denyPermissions,
  hardenedPreferences,
  launchedFiles,
  trustedSender,
} from './electron-policy'
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
/** electron-vite's dev server, in development only; a packaged app always loads its own files. */
const rendererUrl = app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL
const rendererRoot = join(here, '../renderer')
let win: BrowserWindow | null = null

// One instance: a second start (a project double-clicked while the app runs) hands its files to
// the first and ends.
if (!app.requestSingleInstanceLock()) app.exit(0)

// The app's pages come from netwright://app/ (app-protocol.ts), a secure standard scheme of its
// own, registered before the app is ready as Electron requires.
protocol.registerSchemesAsPrivileged([
  {
    scheme: APP_SCHEME,
    privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
  },
])

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

/** Every window's settings (electron-policy.ts): its own preload, isolated, sandboxed, no Node. */
const hardened = (preload: string) => hardenedPreferences(join(here, '../preload', preload), app.isPackaged)

/** Whether an IPC message comes from this window's main frame showing one of the app's pages. */
const fromPage = (e: IpcMainEvent | IpcMainInvokeEvent, contents: Electron.WebContents | undefined) =>
  trustedSender(
    e.senderFrame
      ? {
          url: e.senderFrame.url,
          isMainFrame: e.senderFrame.parent === null,
          fromAppWindow: e.sender === contents,
        }
      : null,
    rendererUrl,
  )

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
  const onIpc = (e: IpcMainEvent, msg: unknown) => {
    if (fromPage(e, contents)) listeners.forEach((l) => l(msg as FromWindowTrainer))
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
  const loaded = w.loadURL(rendererUrl ? new URL('trainer.html', rendererUrl).href : appUrl('trainer.html'))
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
/** Files the OS asked the app to open, until the page asks for them (`dialog.launched`). */
let launched: string[] = []
function launch(paths: string[]): void {
  if (!paths.length) return
  paths.forEach((p) => files.grant(p))
  launched.push(...paths)
  win?.webContents.send('netwright:event', 'dialog.launched', { count: launched.length })
  if (win?.isMinimized()) win.restore()
  win?.focus()
}
launch(launchedFiles(process.argv, process.cwd()))
app.on('second-instance', (_e, argv, cwd) => launch(launchedFiles(argv, cwd)))
// macOS hands double-clicked files over as events, before and after the app is ready.
app.on('open-file', (e, path) => {
  e.preventDefault()
  launch([path])
})
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
    launched() {
      const paths = launched
      launched = []
      return paths
    },
  },
})

ipcMain.handle('netwright:invoke', async (e, method: unknown, request: unknown) => {
  if (!fromPage(e, win?.webContents))
    return { ok: false, error: { code: 'forbidden', message: 'Untrusted sender.' } }
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
  void win.loadURL(rendererUrl ?? appUrl('index.html'))
}

app.on('web-contents-created', (_e, contents) => {
  contents.on('will-attach-webview', (e) => e.preventDefault())
  contents.on('select-bluetooth-device', (e, _devices, callback) => {
    e.preventDefault()
    callback('')
  })
})

void app.whenReady().then(() => {
  denyPermissions(session.defaultSession)
  // Only files under the built renderer, looked up by app-protocol.ts (a 404 for anything else).
  protocol.handle(APP_SCHEME, async (request) => {
    const file = await appFile(request.url, rendererRoot)
    if (!file) return new Response('Not found', { status: 404, headers: { 'content-type': 'text/plain' } })
    return new Response(await readFile(file.path), {
      headers: { 'content-type': file.type, 'x-content-type-options': 'nosniff' },
    })
  })
  Menu.setApplicationMenu(Menu.buildFromTemplate(appMenuTemplate(process.platform, app.isPackaged)))
  createWindow()
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow()
  })
})

app.on('window-all-closed', () => {
  service.shutdown()
  if (process.platform !== 'darwin') app.quit()
})
