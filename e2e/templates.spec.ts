import { expect, test } from '@playwright/test'
import { openApp } from './helpers'

test('New from template opens the ShallowVGGNet with its shapes and parameter totals', async ({ page }) => {
  await openApp(page)
  await page.getByTestId('templates').click()
  await expect(page.getByTestId('template-list').getByRole('button')).toHaveCount(6)
  await page.getByTestId('template-shallow-vggnet').click()
  await expect(page.getByTestId('total-params')).toContainText(
    'Total params: 2,171,178 · Trainable: 2,169,770',
  )
  await expect(page.getByTestId('problems')).toContainText('Problems (0)')
  await expect(page.getByTestId('node-max_pooling2d_1').getByTestId('shape')).toHaveText('(None, 8, 8, 64)')
  await expect(page.getByTestId('node-dense').getByTestId('params')).toHaveText('2,097,664 params')
  // Its dataset is not in this version yet: Train says so, and nothing else changes.
  await page.getByTestId('train').click()
  await expect(page.getByTestId('train-error')).toContainText(
    'The dataset "cifar10" is not available in this version',
  )
})
