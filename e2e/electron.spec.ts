// The desktop app itself, driven through Playwright's Electron support. It needs the Electron binary
// (downloaded by `npm install` on a normal machine) and a display (use xvfb-run on a headless Linux).
import { _electron as electron, expect, test } from '@playwright/test'
import { electronBinary } from '../scripts/electron-binary.mjs'

const bin = electronBinary()
const why =
  'missing' in bin
    ? bin.missing
    : process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY
      ? 'there is no display (run the tests under xvfb-run)'
      : null
if (why) console.log(`Electron specs skipped: ${why}.`)

test.describe('Electron app', () => {
  test.skip(why !== null, `Electron specs skipped: ${why}`)

  test('opens the default project in a hardened window and trains it', async () => {
    const app = await electron.launch({ executablePath: (bin as { path: string }).path, args: ['.'] })
    try {
      const win = await app.firstWindow()
      await expect(win.getByTestId('node-dense_1')).toBeVisible()
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
