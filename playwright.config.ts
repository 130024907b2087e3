import { defineConfig } from '@playwright/test'
import { existsSync, mkdirSync, rmSync } from 'node:fs'
import { homedir, tmpdir } from 'node:os'
import { join } from 'node:path'

// The browser host, started on a fixed port with a known token and a fresh workspace folder.
const port = Number(process.env.NETWRIGHT_E2E_PORT ?? 5197)
const token = 'e2e-token-not-secret'
const workspace = join(tmpdir(), `netwright-e2e-${port}`)
if (!process.env.TEST_WORKER_INDEX) {
  rmSync(workspace, { recursive: true, force: true })
  mkdirSync(workspace, { recursive: true })
}
process.env.NETWRIGHT_E2E_WORKSPACE = workspace
const venvPython = join(homedir(), '.cache', 'netwright-venv', 'bin', 'python')
process.env.NETWRIGHT_E2E_URL = `http://127.0.0.1:${port}/?token=${token}`

export default defineConfig({
  testDir: 'e2e',
  timeout: 120_000,
  expect: { timeout: 20_000 },
  workers: 1,
  reporter: [['list']],
  use: {
    viewport: { width: 1400, height: 900 },
    launchOptions: {
      // Debian's Chromium here (Playwright's own download cannot work on these machines); Playwright's
      // own where it is installed (the release workflow) or Debian's is not there.
      executablePath:
        process.env.CHROMIUM_PATH ??
        (process.env.NETWRIGHT_PLAYWRIGHT_CHROMIUM || !existsSync('/usr/bin/chromium')
          ? undefined
          : '/usr/bin/chromium'),
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  webServer: {
    command: `node bin/netwright.js serve --port ${port} --workspace ${workspace}`,
    url: `http://127.0.0.1:${port}/?token=${token}`,
    // Tests never read or fill the user's own Keras cache.
    env: {
      NETWRIGHT_TOKEN: token,
      KERAS_HOME: join(workspace, '.keras'),
      NETWRIGHT_CACHE: join(workspace, '.cache'),
      // The keras rung's Python: the tests' (as .ci/run makes it), where there is one.
      NETWRIGHT_PYTHON: process.env.NETWRIGHT_PYTHON ?? (existsSync(venvPython) ? venvPython : ''),
    },
    reuseExistingServer: false,
    timeout: 60_000,
  },
})
