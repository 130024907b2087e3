import { expect, test } from '@playwright/test'
import { openApp } from './helpers'

test('New from template opens the ShallowVGGNet with its shapes and parameter totals', async ({ page }) => {
  await openApp(page)
  await page.getByTestId('templates').click()
  await expect(page.getByTestId('template-list').getByRole('button')).toHaveCount(10)
  await page.getByTestId('template-shallow-vggnet').click()
  await expect(page.getByTestId('total-params')).toContainText(
    'Total params: 2,171,178 · Trainable: 2,169,770',
  )
  await expect(page.getByTestId('problems')).toContainText('Problems (0)')
  await expect(page.getByTestId('node-max_pooling2d_1').getByTestId('shape')).toHaveText('(None, 8, 8, 64)')
  await expect(page.getByTestId('node-dense').getByTestId('params')).toHaveText('2,097,664 params')
})

test('the Functional residual block opens, shows its skip connection and trains', async ({ page }) => {
  await openApp(page)
  await page.getByTestId('templates').click()
  await page.getByTestId('template-residual-block').click()
  await expect(page.getByTestId('total-params')).toContainText('Total params: 5,371')
  await page.getByTestId('node-add').click()
  await expect(page.getByTestId('merge-inputs')).toHaveText('conv2dconv2d_1')
  await expect(page.getByTestId('node-add').getByTestId('shape')).toHaveText('(None, 28, 28, 8)')
  await page.getByTestId('epochs').fill('1')
  await page.getByTestId('epochs').press('Enter')
  await page.getByTestId('train').click()
  await expect(page.getByTestId('status-line')).toContainText('Finished 1 epoch.', { timeout: 60_000 })
  // The convolutions train on a fast backend (wasm has our Conv2DBackpropFilter), not on cpu.
  await expect(page.getByTestId('status-line')).toContainText(
    /Backend: (tfjs-node-gpu|webgpu|tfjs-node|wasm)/,
  )
})

test('the summary panel reads like Keras model.summary()', async ({ page }) => {
  await openApp(page)
  await page.getByTestId('summary').click()
  const text = page.getByTestId('summary-text')
  await expect(text).toContainText('Model: "Shapes classifier"')
  await expect(text).toContainText(/dense \(Dense\)\s+\(None, 128\)\s+100,480/)
  await expect(text).toContainText('Total params: 100,867 (394.01 KB)')
  await page.keyboard.press('Escape')
  await expect(text).toHaveCount(0)
})
