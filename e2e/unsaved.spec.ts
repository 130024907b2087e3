import { expect, test } from '@playwright/test'
import { openApp, setField } from './helpers'

test('unsaved changes are never lost silently', async ({ page }) => {
  await openApp(page)
  await page.getByTestId('node-dense').click()
  await setField(page.getByTestId('param-units'), '64')
  await expect(page.getByTestId('doc-title')).toHaveText('Unsaved project •')

  // New asks first; saying no keeps the work.
  let asked = ''
  page.once('dialog', (d) => {
    asked = d.message()
    void d.dismiss()
  })
  await page.getByTestId('new').click()
  expect(asked).toContain('unsaved changes')
  await expect(page.getByTestId('node-dense').getByTestId('params')).toHaveText('50,240 params')

  // A closed tab or a crash: the draft is offered back on the next start.
  await page.waitForTimeout(600)
  page.once('dialog', (d) => void d.accept())
  await page.reload()
  await expect(page.getByTestId('draft-banner')).toBeVisible()
  await expect(page.getByTestId('node-dense').getByTestId('params')).toHaveText('100,480 params')
  await page.getByTestId('draft-banner').getByRole('button', { name: 'Restore' }).click()
  await expect(page.getByTestId('node-dense').getByTestId('params')).toHaveText('50,240 params')
  await expect(page.getByTestId('doc-title')).toHaveText('Unsaved project •')

  // Delete from the keyboard, undo brings it back.
  await page.getByTestId('node-flatten').click()
  await page.keyboard.press('Delete')
  await expect(page.getByTestId('node-flatten')).toHaveCount(0)
  // The chain is joined around it: the Dense now reads each 28-value row (28 × 64 + 64 weights).
  await expect(page.locator('.react-flow__edge')).toHaveCount(2)
  await expect(page.getByTestId('node-dense').getByTestId('params')).toHaveText('1,856 params')
  await page.keyboard.press('Control+z')
  await expect(page.getByTestId('node-flatten')).toBeVisible()
  await expect(page.getByTestId('problems')).toContainText('Problems (0)')
})
