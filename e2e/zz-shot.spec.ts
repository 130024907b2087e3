import { expect, test } from '@playwright/test'
import { openApp, setField } from './helpers'
test.use({ viewport: { width: 1280, height: 720 } })
test('shot', async ({ page }) => {
  await openApp(page)
  await page.getByTestId('templates').click()
  await page.getByTestId('template-keras-first-example').click()
  await setField(page.getByTestId('epochs'), '60')
  await page.getByTestId('train').click()
  await expect(page.getByTestId('status-line')).toContainText('Finished', { timeout: 90_000 })
  await page.screenshot({ path: '.scratch/boundary.png' })
})
