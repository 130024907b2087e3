import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  appMenuTemplate,
  denyPermissions,
  hardenedPreferences,
  launchedFiles,
  trustedSender,
  type DenyingSession,
} from './electron-policy'

describe('the desktop app’s security settings', () => {
  it('isolates and sandboxes every window, and gives a packaged app no DevTools', () => {
    const dev = hardenedPreferences('/app/out/preload/index.cjs', false)
    expect(dev).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      devTools: true,
    })
    expect(hardenedPreferences('/p.cjs', true).devTools).toBe(false)
  })

  it('has no View menu (reload, DevTools) once packaged', () => {
    const roles = (platform: NodeJS.Platform, packaged: boolean) =>
      appMenuTemplate(platform, packaged).map((m) => m.role ?? m.label)
    expect(roles('linux', false)).toEqual(['fileMenu', 'Edit', 'viewMenu', 'windowMenu'])
    expect(roles('linux', true)).toEqual(['fileMenu', 'Edit', 'windowMenu'])
    expect(roles('win32', true)).toEqual(['fileMenu', 'Edit', 'windowMenu'])
    expect(roles('darwin', true)).toEqual(['appMenu', 'fileMenu', 'Edit', 'windowMenu'])
    const everything = JSON.stringify(appMenuTemplate('linux', true))
    expect(everything).not.toMatch(/toggleDevTools|reload|viewMenu/i)
  })

  it('refuses every permission request, permission check and device chooser', () => {
    const handlers: Record<string, (...args: never[]) => unknown> = {}
    const events: Record<string, (...args: unknown[]) => void> = {}
    const session = {
      setPermissionRequestHandler: (h: never) => (handlers.request = h),
      setPermissionCheckHandler: (h: never) => (handlers.check = h),
      setDevicePermissionHandler: (h: never) => (handlers.device = h),
      on: (name: string, l: (...args: unknown[]) => void) => (events[name] = l),
    } as unknown as DenyingSession
    denyPermissions(session)

    const answers: unknown[] = []
    const request = handlers.request as unknown as (wc: null, p: string, cb: (ok: boolean) => void) => void
    for (const p of ['media', 'geolocation', 'notifications', 'clipboard-read', 'hid', 'serial', 'usb'])
      request(null, p, (ok) => answers.push(ok))
    expect(answers).toEqual(Array(7).fill(false))
    const check = handlers.check as unknown as (...a: unknown[]) => boolean
    expect(
      ['media', 'clipboard-sanitized-write', 'hid'].map((p) => check(null, p, 'netwright://app')),
    ).toEqual([false, false, false])
    expect((handlers.device as unknown as (d: unknown) => boolean)({ deviceType: 'usb' })).toBe(false)

    for (const [name, args] of [
      ['select-hid-device', [{ deviceList: [{ deviceId: 'x' }] }]],
      ['select-serial-port', [[{ portId: 'x' }], null]],
      ['select-usb-device', [{ deviceList: [{ deviceId: 'x' }] }]],
    ] as const) {
      let prevented = false
      const chosen: unknown[] = []
      events[name]!({ preventDefault: () => (prevented = true) }, ...args, (id?: string) => chosen.push(id))
      expect(prevented, name).toBe(true)
      // No device is chosen: undefined or '' is Electron's "none".
      expect(chosen.length, name).toBe(1)
      expect(chosen[0] ?? '', name).toBe('')
    }
  })

  it('serves IPC only to the app window’s main frame on the app’s own pages', () => {
    const frame = { url: 'netwright://app/index.html', isMainFrame: true, fromAppWindow: true }
    expect(trustedSender(frame)).toBe(true)
    expect(trustedSender(null)).toBe(false)
    expect(trustedSender({ ...frame, isMainFrame: false })).toBe(false)
    expect(trustedSender({ ...frame, fromAppWindow: false })).toBe(false)
    expect(trustedSender({ ...frame, url: 'file:///home/u/page.html' })).toBe(false)
    expect(trustedSender({ ...frame, url: 'https://example.com/' })).toBe(false)
    expect(trustedSender({ ...frame, url: 'http://localhost:5173/' }, 'http://localhost:5173')).toBe(true)
    expect(trustedSender(frame, 'http://localhost:5173')).toBe(false)
  })

  it('opens the project and model files the app was started with, not its switches', () => {
    const cwd = '/home/u/models'
    // Packaged: the executable, then the files.
    expect(launchedFiles(['/opt/Netwright/netwright', 'a.netwright.json'], cwd)).toEqual([
      resolve(cwd, 'a.netwright.json'),
    ])
    // From source: electron, the app folder, then the files; Playwright puts its switches first.
    expect(
      launchedFiles(
        ['electron', '--no-sandbox', '--inspect=0', '--remote-debugging-port=0', '.', 'b.keras', '/abs/c.h5'],
        cwd,
      ),
    ).toEqual([resolve(cwd, 'b.keras'), '/abs/c.h5'])
    expect(
      launchedFiles(
        [
          'netwright',
          '--allow-file-access-from-files',
          '--original-process-start-time=1',
          'notes.txt',
          '-x.json',
        ],
        cwd,
      ),
    ).toEqual([])
  })
})
