// The desktop app itself, driven through Playwright's Electron support. It needs the Electron binary
// (downloaded by `npm install` on a normal machine) and a display (use xvfb-run on a headless Linux).
// With NETWRIGHT_E2E_APP set to a packaged app's executable (scripts/e2e-packaged.ts), it drives that.
import { _electron as electron, expect, test } from '@playwright/test'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { electronBinary } from '../scripts/electron-binary.mjs'

const packaged = process.env.NETWRIGHT_E2E_APP
const bin = packaged ? { path: packaged } : electronBinary()
const why =
  'missing' in bin
    ? bin.missing
    : process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY
      ? 'there is no display (run the tests under xvfb-run)'
      : null
if (why) console.log(`Electron specs skipped: ${why}.`)

test.describe('Electron app', () => {
  test.skip(why !== null, `Electron specs skipped: ${why}`)

  test('opens a project it is started with, in a hardened window on its own scheme, and trains it', async () => {
    // A double-clicked project arrives as an argument: the shapes template under a name of its own.
    const dir = mkdtempSync(join(tmpdir(), 'netwright-electron-'))
    const project = join(dir, 'Double-clicked.netwright.json')
    const doc = JSON.parse(readFileSync('resources/templates/shapes-mlp.netwright.json', 'utf8'))
    writeFileSync(project, JSON.stringify({ ...doc, name: 'Double-clicked' }))
    const app = await electron.launch({
      executablePath: (bin as { path: string }).path,
      args: packaged ? [project] : ['.', project],
    })
    try {
      const win = await app.firstWindow()
      await expect(win.getByTestId('file-message')).toContainText(`Opened ${project}`)
      await expect(win.getByTestId('node-dense_1')).toBeVisible()
      // The page comes from the app's own scheme, not file://.
      expect(win.url()).toMatch(/^netwright:\/\/app\/index\.html/)
      const menu = await app.evaluate(({ Menu, app }) => ({
        packaged: app.isPackaged,
        roles: Menu.getApplicationMenu()?.items.map((i) => i.role ?? i.label) ?? [],
      }))
      expect(menu.packaged).toBe(!!packaged)
      // A packaged app has no View menu (reload, DevTools).
      expect(menu.roles.includes('viewmenu') || menu.roles.includes('viewMenu')).toBe(!packaged)
      expect(await win.evaluate(() => typeof (window as unknown as { require?: unknown }).require)).toBe(
        'undefined',
      )
      expect(await win.evaluate(() => typeof (window as unknown as { process?: unknown }).process)).toBe(
        'undefined',
      )
      const prefs = await app.evaluate(({ BrowserWindow }) => {
        type Prefs = { contextIsolation?: boolean; sandbox?: boolean; nodeIntegration?: boolean }
        const wc = BrowserWindow.getAllWindows()[0]!.webContents as unknown as {
          getLastWebPreferences(): Prefs
        }
        const p = wc.getLastWebPreferences()
        return {
          contextIsolation: p.contextIsolation,
          sandbox: p.sandbox,
          nodeIntegration: p.nodeIntegration,
        }
      })
      expect(prefs).toEqual({ contextIsolation: true, sandbox: true, nodeIntegration: false })
      // Navigation away from the app is blocked.
      await win.evaluate(() => {
        location.href = 'https://example.com'
      })
      await expect(win.getByTestId('node-dense_1')).toBeVisible()

      await win.getByTestId('epochs').fill('1')
      await win.getByTestId('epochs').press('Enter')
      await win.getByTestId('train').click()
      await expect(win.getByTestId('status-line')).toContainText(
        /Backend: (tfjs-node-gpu|webgpu|tfjs-node|wasm|cpu)/,
      )
      await expect(win.getByTestId('status-line')).toContainText('Finished 1 epoch.', { timeout: 60_000 })
    } finally {
      await app.close()
    }
  })
})
