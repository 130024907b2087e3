import { expect, test, type Page } from '@playwright/test'
import { join } from 'node:path'
import { shapesCnnDoc } from '../src/shared/testing'
import { openApp, openDocument, setField } from './helpers'

// The README's screenshots at 1280×720: the first screen, a deep template, the teaching views.
test.use({ viewport: { width: 1280, height: 720 } })
const shot = (page: Page, name: string) =>
  page.screenshot({ path: join('docs', 'screenshots', `${name}.png`) })

test('the first screen, with the first Dense layer selected', async ({ page }) => {
  await openApp(page)
  await page.getByTestId('node-dense').click()
  await expect(page.getByTestId('activation-plot')).toBeVisible()
  await shot(page, 'first-screen')
})

test('a deep template: ShallowVGGNet', async ({ page }) => {
  await openApp(page)
  await page.getByTestId('templates').click()
  await page.getByTestId('template-shallow-vggnet').click()
  await page.getByTestId('node-conv2d').click()
  await expect(page.getByTestId('conv-view')).toBeVisible()
  await shot(page, 'deep-template')
})

test('the decision boundary on the spirals', async ({ page }) => {
  await openApp(page)
  await page.getByTestId('templates').click()
  await page.getByTestId('template-keras-first-example').click()
  await page.getByTestId('node-dense').click()
  await page.getByTestId('param-units').fill('32')
  await page.getByTestId('param-units').press('Enter')
  await setField(page.getByTestId('learning-rate'), '0.01')
  await setField(page.getByTestId('epochs'), '60')
  await page.getByTestId('train').click()
  await expect(page.getByTestId('status-line')).toContainText('Finished', { timeout: 120_000 })
  await shot(page, 'decision-boundary')
})

test('inside a trained CNN', async ({ page }) => {
  const doc = shapesCnnDoc()
  doc.training.epochs = 3
  doc.dataset.options = { count: 600 }
  await openDocument(page, 'shapes-cnn.netwright.json', doc)
  await page.getByTestId('train').click()
  await page.getByTestId('open-inside').click({ timeout: 90_000 })
  await expect(page.getByTestId('feature-maps-conv2d').locator('canvas')).toHaveCount(8)
  await page.waitForTimeout(300)
  await shot(page, 'inside-the-model')
})

test('ShallowVGGNet left to right, its repeated blocks folded', async ({ page }) => {
  await openApp(page)
  await page.getByTestId('templates').click()
  await page.getByTestId('template-shallow-vggnet').click()
  await page.getByTestId('layout-direction').selectOption('right')
  await page.getByTestId('layout-fold').check()
  await expect(page.locator('.fold-node')).toBeVisible()
  await page.waitForTimeout(600)
  await shot(page, 'folded-left-to-right')
})

test('the learning rate’s effect', async ({ page }) => {
  await openApp(page)
  await page.getByTestId('lr-find').click()
  await expect(page.getByTestId('lr-chart')).toBeVisible({ timeout: 60_000 })
  await page.waitForTimeout(400)
  await shot(page, 'learning-rate')
})
