import { expect, test } from '@playwright/test'
import { execFileSync } from 'node:child_process'
import { copyFileSync } from 'node:fs'
import { join } from 'node:path'
import { openApp, setField, URL, WORKSPACE } from './helpers'

const FIXTURES = join(import.meta.dirname, 'fixtures')
for (const f of ['cycle', 'missing-node', 'unknown-layer', 'wrong-param-type', 'truncated'])
  copyFileSync(join(FIXTURES, `${f}.netwright.json`), join(WORKSPACE, `${f}.netwright.json`))

async function openFile(page: import('@playwright/test').Page, name: string) {
  await page.getByTestId('open').click()
  await page.getByTestId('file-list').getByText(name).click()
}

test('a truncated file gets a clear error and the open project is untouched', async ({ page }) => {
  await openApp(page)
  await openFile(page, 'truncated.netwright.json')
  await expect(page.getByTestId('file-message')).toContainText('truncated')
  await expect(page.getByTestId('node-dense_1')).toBeVisible()
  await expect(page.getByTestId('doc-title')).toHaveText('Unsaved project')
})

test('graph problems open, are drawn where they are, and block training with a message', async ({ page }) => {
  await openApp(page)
  await openFile(page, 'cycle.netwright.json')
  await expect(page.locator('.react-flow__edge.edge-error')).toHaveCount(1)
  await expect(page.getByTestId('problems')).toContainText('closes a loop')
  await page.getByTestId('train').click()
  await expect(page.getByTestId('train-error')).toContainText('Fix the model first')

  await openFile(page, 'unknown-layer.netwright.json')
  await expect(page.getByTestId('node-dense').getByTestId('node-error')).toContainText(
    'Unknown layer type "Dense3D"',
  )

  await openFile(page, 'wrong-param-type.netwright.json')
  await expect(page.getByTestId('node-dense').getByTestId('node-error')).toContainText(
    'units must be a whole number; received "many"',
  )

  await openFile(page, 'missing-node.netwright.json')
  await expect(page.getByTestId('problems')).toContainText('points to a layer that does not exist (ghost)')
})

test('a bad value typed in the inspector is refused with a message, and nothing changes', async ({
  page,
}) => {
  await openApp(page)
  await page.getByTestId('node-dense').click()
  const units = page.getByTestId('param-units')
  await units.fill('-3')
  await units.press('Enter')
  await expect(page.getByRole('alert').filter({ hasText: 'Enter 1 or more' })).toBeVisible()
  await expect(page.getByTestId('total-params')).toContainText('Total params: 100,867')
})

test('the browser host refuses requests without the token', async ({ request, page }) => {
  const base = new globalThis.URL(URL)
  const bare = `${base.origin}/`
  const r = await request.get(bare)
  expect(r.status()).toBe(401)
  expect(await r.text()).toContain('access token')
  const wrong = await request.get(`${bare}?token=wrong`)
  expect(wrong.status()).toBe(401)
  // A page without the token cannot open the WebSocket either.
  await page.goto('about:blank')
  const wsResult = await page.evaluate(
    (u) =>
      new Promise<string>((resolve) => {
        const ws = new WebSocket(u)
        ws.onopen = () => resolve('open')
        ws.onerror = () => resolve('refused')
      }),
    `ws://${base.host}/ws`,
  )
  expect(wsResult).toBe('refused')
})

test('the trainer process killed mid-run: the app stays up and says what happened', async ({ page }) => {
  await openApp(page)
  await setField(page.getByTestId('epochs'), '500')
  await page.getByTestId('train').click()
  await expect(page.getByTestId('status-line')).toContainText(/epoch \d+\/500/, { timeout: 30_000 })
  execFileSync('pkill', ['-KILL', '-f', 'src/main/trainer/main.ts'])
  await expect(page.getByTestId('run-error')).toContainText(
    'The trainer process ended unexpectedly (signal SIGKILL)',
  )
  // Said once: the status line points to the banner instead of repeating it.
  await expect(page.getByTestId('status-line')).toContainText('training failed (the reason is below)')
  await expect(page.getByTestId('status-line')).not.toContainText('ended unexpectedly')
  await expect(page.getByTestId('train')).toBeEnabled()
  await expect(page.getByTestId('node-dense_1')).toBeVisible()
  await setField(page.getByTestId('epochs'), '1')
  await page.getByTestId('train').click()
  await expect(page.getByTestId('status-line')).toContainText('Finished 1 epoch.', { timeout: 60_000 })
  // Another project starts with a fresh status line and no error; the runs stay listed.
  page.once('dialog', (d) => void d.accept()) // discard the unsaved epochs change
  await page.getByTestId('new').click()
  await expect(page.getByTestId('status-line')).toHaveText('Ready. Press Train to start.')
  await expect(page.getByTestId('run-error')).toHaveCount(0)
  await expect(page.getByTestId('run-item')).toHaveCount(2)
})
