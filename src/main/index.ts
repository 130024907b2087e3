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

const here = fileURLToPath(new URL('.', import.meta.url))
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

const files = grantedFiles()
const filters = [{ name: 'Netwright project', extensions: ['json'] }]
const service = createService({
  host: 'electron',
  launcher: utilityLauncher,
  files,
  templatesDir: templatesDir(),
  dialogs: {
    async open() {
      const r = await dialog.showOpenDialog(win!, { properties: ['openFile'], filters })
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

const rendererUrl = process.env.ELECTRON_RENDERER_URL
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
    webPreferences: {
      preload: join(here, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    },
  })
  const contents = win.webContents
  contents.on('will-navigate', (e) => e.preventDefault())
  contents.setWindowOpenHandler(() => ({ action: 'deny' }))
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
