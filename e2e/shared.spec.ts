import { expect, test } from '@playwright/test'
import { connect, openApp, setField } from './helpers'

test('a layer used twice shares its weights: linked on the canvas, counted once, and it trains', async ({
  page,
}) => {
  await openApp(page)
  await page.getByTestId('canvas').click({ position: { x: 20, y: 20 } })
  await page.getByRole('combobox', { name: 'Style' }).selectOption('functional')
  await page.getByTestId('node-dense_1').click()
  await page.getByTestId('reuse').click()
  await expect(page.getByTestId('node-dense_1_use2')).toBeVisible()
  await expect(page.getByTestId('node-dense_1_use2').getByTestId('params')).toHaveText('shares dense_1')
  await expect(page.getByTestId('shared-note')).toContainText('A second use of dense_1')
  await expect(page.locator('.react-flow__edge.edge-shared')).toHaveCount(1)

  await connect(page, 'dense', 'dense_1_use2')
  await expect(page.getByTestId('node-dense_1_use2').getByTestId('shape')).toHaveText('(None, 3)')
  await expect(page.getByTestId('total-params')).toContainText('Total params: 100,867')
  await expect(page.getByTestId('problems')).toContainText('Problems (0)')

  await setField(page.getByTestId('epochs'), '1')
  await page.getByTestId('train').click()
  await expect(page.getByTestId('status-line')).toContainText('Finished 1 epoch.', { timeout: 60_000 })
})
