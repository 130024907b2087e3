import { expect, test } from '@playwright/test'
import { chartPoints, connect, dropLayer, openApp, setField } from './helpers'

test('build the shapes model from an empty canvas, train it, stop a run, keep editing', async ({ page }) => {
  await openApp(page)
  await page.getByTestId('new').click()
  await expect(page.locator('.react-flow__node')).toHaveCount(0)

  await dropLayer(page, 'Input', 420, 40)
  await dropLayer(page, 'Flatten', 420, 150)
  await dropLayer(page, 'Dense', 420, 260)
  await dropLayer(page, 'Dense', 420, 370)
  await expect(page.locator('.react-flow__node')).toHaveCount(4)

  await connect(page, 'input', 'flatten')
  await connect(page, 'flatten', 'dense')
  await connect(page, 'dense', 'dense_1')
  await expect(page.locator('.react-flow__edge')).toHaveCount(3)

  // Shapes flow through as soon as the layers are connected.
  await expect(page.getByTestId('node-flatten').getByTestId('shape')).toHaveText('(None, 784)')

  await page.getByTestId('node-dense').click()
  await setField(page.getByTestId('param-units'), '128')
  await page.getByTestId('param-activation').selectOption('relu')
  await page.getByTestId('node-dense_1').click()
  await setField(page.getByTestId('param-units'), '3')
  await page.getByTestId('param-activation').selectOption('softmax')
  await expect(page.getByTestId('node-dense').getByTestId('params')).toHaveText('100,480 params')
  await expect(page.getByTestId('total-params')).toContainText('Total params: 100,867')
  await expect(page.getByTestId('problems')).toContainText('Problems (0)')

  // Train two epochs: both charts gain points and the status line names the backend.
  await setField(page.getByTestId('epochs'), '2')
  await page.getByTestId('train').click()
  await expect(page.getByTestId('status-line')).toContainText(
    /Backend: (tfjs-node-gpu|webgpu|tfjs-node|wasm|cpu)/,
  )
  await expect(page.getByTestId('status-line')).toContainText('Finished 2 epochs', { timeout: 60_000 })
  // The charts redraw at most every 400 ms: the last points may come a moment after the status.
  await expect.poll(() => chartPoints(page, 'loss')).toBeGreaterThanOrEqual(2)
  // The charts redraw at most every 400 ms: the last points may come a moment after the status.
  await expect.poll(() => chartPoints(page, 'accuracy')).toBeGreaterThanOrEqual(2)
  await expect(page.getByTestId('status-line')).toContainText(/val_accuracy 0\.\d+|val_accuracy 1\.000/)

  // A long run: the canvas still responds while it trains, and Stop ends it at once.
  await setField(page.getByTestId('epochs'), '500')
  await page.getByTestId('train').click()
  await expect(page.getByTestId('status-line')).toContainText(/epoch \d+\/500/, { timeout: 30_000 })
  const node = page.getByTestId('node-input')
  const before = (await node.boundingBox())!
  await page.mouse.move(before.x + 40, before.y + 15)
  await page.mouse.down()
  await page.mouse.move(before.x + 140, before.y + 25, { steps: 8 })
  await page.mouse.up()
  const after = (await node.boundingBox())!
  expect(after.x - before.x).toBeGreaterThan(60)
  await expect(page.getByTestId('status-line')).toContainText(/epoch \d+\/500/)
  await page.getByTestId('stop').click()
  await expect(page.getByTestId('status-line')).toContainText('Stopped', { timeout: 5_000 })
  await expect(page.getByTestId('train')).toBeEnabled()
  await expect(page.getByTestId('run-item')).toHaveCount(2)
})

test('drop a Dropout between the two Dense layers, train again, save and reopen', async ({ page }) => {
  await openApp(page)
  // The default project, as shipped, reaches what the CLI reaches.
  await page.getByTestId('train').click()
  await expect(page.getByTestId('status-line')).toContainText('Finished 5 epochs.', { timeout: 60_000 })
  const acc = Number(
    /val_accuracy (\d\.\d+)/.exec((await page.getByTestId('status-line').textContent())!)![1],
  )
  expect(acc).toBeGreaterThanOrEqual(0.95)

  const upper = (await page.getByTestId('node-dense').boundingBox())!
  const lower = (await page.getByTestId('node-dense_1').boundingBox())!
  const canvas = (await page.getByTestId('canvas').boundingBox())!
  // The middle of the connection between dense and dense_1.
  const x = upper.x + upper.width / 2 - canvas.x
  const y = (upper.y + upper.height + lower.y) / 2 - canvas.y
  await dropLayer(page, 'Dropout', x, y)
  await expect(page.getByTestId('node-dropout')).toBeVisible()
  await expect(page.locator('.react-flow__edge')).toHaveCount(4)
  await expect(page.getByTestId('node-dropout').getByTestId('shape')).toHaveText('(None, 128)')
  await expect(page.getByTestId('total-params')).toContainText('Total params: 100,867')
  await expect(page.getByTestId('problems')).toContainText('Problems (0)')

  await setField(page.getByTestId('epochs'), '1')
  await page.getByTestId('train').click()
  await expect(page.getByTestId('status-line')).toContainText('Finished 1 epoch.', { timeout: 60_000 })
  await expect(page.getByTestId('run-item')).toHaveCount(2)
  // The charts redraw at most every 400 ms: the last points may come a moment after the status.
  await expect.poll(() => chartPoints(page, 'loss')).toBeGreaterThan(0)
  // The earlier run's curves are still there to look at.
  await page.getByTestId('run-item').first().click()
  // The charts redraw at most every 400 ms: the last points may come a moment after the status.
  await expect.poll(() => chartPoints(page, 'loss')).toBeGreaterThanOrEqual(5)

  // Undo and redo the whole drop as one step each.
  await page.getByTestId('canvas').click({ position: { x: 20, y: 20 } })
  await page.keyboard.press('Control+z')
  await page.keyboard.press('Control+z')
  await expect(page.getByTestId('node-dropout')).toHaveCount(0)
  await page.keyboard.press('Control+Shift+z')
  await page.keyboard.press('Control+Shift+z')
  await expect(page.getByTestId('node-dropout')).toBeVisible()

  await page.getByTestId('save').click()
  await setField(page.getByTestId('file-name'), 'with-dropout.netwright.json')
  await expect(page.getByTestId('file-message')).toContainText('Saved with-dropout.netwright.json')
  await expect(page.getByTestId('doc-title')).toHaveText('with-dropout.netwright.json')

  // Close and reopen: it is all there.
  await page.reload()
  await expect(page.getByTestId('node-dense_1')).toBeVisible()
  await expect(page.getByTestId('node-dropout')).toHaveCount(0)
  await page.getByTestId('open').click()
  await page.getByTestId('file-list').getByText('with-dropout.netwright.json').click()
  await expect(page.getByTestId('node-dropout')).toBeVisible()
  await expect(page.getByTestId('doc-title')).toHaveText('with-dropout.netwright.json')
  await expect(page.getByTestId('epochs')).toHaveValue('1')
})

test('train in your own Keras: choose the keras backend, watch it train live, and it is remembered', async ({
  page,
}) => {
  await openApp(page)
  const select = page.getByTestId('backend')
  // The ladder's probe answers once the page has the system info.
  await expect(select.locator('option').first()).toHaveText(/Automatic \(\w/)
  const offered = await select.locator('option').allTextContents()
  test.skip(
    !offered.includes('keras'),
    `no Keras 3 here (offered: ${offered.join(', ')}); .ci/run sets one up`,
  )
  await select.selectOption('keras')
  await expect(page.getByTestId('backend').locator('..')).toContainText(/Keras 3\.\d+\.\d+ on \w+/)
  await setField(page.getByTestId('epochs'), '3')
  await page.getByTestId('train').click()
  await expect(page.getByTestId('status-line')).toContainText('Backend: keras', { timeout: 60_000 })
  await expect(page.getByTestId('status-line')).toContainText('Finished 3 epochs', { timeout: 60_000 })
  // The charts redraw at most every 400 ms: the last points may come a moment after the status.
  await expect.poll(() => chartPoints(page, 'loss')).toBeGreaterThanOrEqual(3)
  await expect(page.getByTestId('status-line')).toContainText(/val_accuracy (0\.\d+|1\.000)/)
  await expect(page.getByTestId('run-item')).toHaveCount(1)
  await page.reload()
  await expect(page.getByTestId('backend')).toHaveValue('keras')
})
