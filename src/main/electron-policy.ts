// The desktop app's security settings as plain functions, so that they are tested without Electron
// (only types come from it here; index.ts applies them). Electron's security checklist:
// https://www.electronjs.org/docs/latest/tutorial/security
import type { MenuItemConstructorOptions, Session, WebPreferences } from 'electron'
import { resolve as resolvePath } from 'node:path'
import { isAppPage } from './app-protocol'

/** Every window's settings: its own preload only, isolated, sandboxed, no Node; no DevTools once packaged. */
export const hardenedPreferences = (preload: string, packaged: boolean): WebPreferences => ({
  preload,
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
  devTools: !packaged,
})

/** The menu: no View menu (reload, DevTools) in a packaged app. */
export function appMenuTemplate(platform: NodeJS.Platform, packaged: boolean): MenuItemConstructorOptions[] {
  return [
    ...(platform === 'darwin' ? [{ role: 'appMenu' } as const] : []),
    { role: 'fileMenu' },
    {
      label: 'Edit',
      submenu: [{ role: 'cut' }, { role: 'copy' }, { role: 'paste' }, { role: 'selectAll' }],
    },
    ...(packaged ? [] : [{ role: 'viewMenu' } as const]),
    { role: 'windowMenu' },
  ]
}

/** What a session needs to refuse every permission and device. */
export type DenyingSession = Pick<
  Session,
  'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'setDevicePermissionHandler' | 'on'
>

/**
 * The app asks for no permission (camera, microphone, notifications, geolocation, clipboard reads,
 * …) and no device (HID, serial, USB, Bluetooth): every request, check and device chooser is refused.
 */
export function denyPermissions(session: DenyingSession): void {
  session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false))
  session.setPermissionCheckHandler(() => false)
  session.setDevicePermissionHandler(() => false)
  session.on('select-hid-device', (event, _details, callback) => {
    event.preventDefault()
    callback()
  })
  session.on('select-serial-port', (event, _ports, _wc, callback) => {
    event.preventDefault()
    callback('')
  })
  session.on('select-usb-device', (event, _details, callback) => {
    event.preventDefault()
    callback()
  })
}

/** What the IPC sender check looks at: the frame that sent, and whether it is its page's main frame. */
export interface SenderFrame {
  url: string
  isMainFrame: boolean
  fromAppWindow: boolean
}

/**
 * An IPC call is served only when it comes from the app window's main frame showing one of the
 * app's own pages (netwright://app/, or electron-vite's dev server in development).
 */
export const trustedSender = (frame: SenderFrame | null, devServerUrl?: string): boolean =>
  frame !== null && frame.fromAppWindow && frame.isMainFrame && isAppPage(frame.url, devServerUrl)

/** What the app opens when the OS starts it with files: project and model files, not switches. */
const OPENABLE = /\.(json|keras|h5)$/i

/**
 * The files in a command line the app was started (or started again) with: the arguments after the
 * executable that name a project or model file (not Chromium's switches, not `electron .`'s app
 * folder), made absolute against the folder it was started in.
 */
export function launchedFiles(argv: readonly string[], cwd: string): string[] {
  return argv
    .slice(1)
    .filter((a) => !a.startsWith('-') && OPENABLE.test(a))
    .map((a) => resolvePath(cwd, a))
}
