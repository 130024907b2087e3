import { expect, test } from '@playwright/test'
import { openApp } from './helpers'

test('select all, copy, paste, duplicate, tidy up and undo from the keyboard', async ({ page }) => {
  await openApp(page)
  const nodes = page.locator('.react-flow__node')
  await page.getByTestId('canvas').click({ position: { x: 30, y: 30 } })
  await page.keyboard.press('Control+a')
  await page.keyboard.press('Control+c')
  await page.keyboard.press('Control+v')
  await expect(nodes).toHaveCount(8)
  await expect(page.locator('.react-flow__edge')).toHaveCount(6)
  await expect(page.getByTestId('node-dense_3')).toBeVisible()
  // Two chains in a Sequential model: the app says what is wrong.
  await expect(page.getByTestId('problems')).toContainText('A Sequential model has exactly one Input')
  await page.keyboard.press('Control+z')
  await expect(nodes).toHaveCount(4)
  await expect(page.getByTestId('problems')).toContainText('Problems (0)')

  await page.getByTestId('node-dense').click()
  await page.keyboard.press('Control+d')
  await expect(nodes).toHaveCount(5)
  await expect(page.getByTestId('node-dense_2')).toBeVisible()

  const before = (await page.getByTestId('node-dense_2').boundingBox())!
  await page.getByTestId('tidy').click()
  const after = (await page.getByTestId('node-dense_2').boundingBox())!
  expect(Math.abs(after.x - before.x) + Math.abs(after.y - before.y)).toBeGreaterThan(10)
  await page.keyboard.press('Control+z')
  await expect(page.getByTestId('node-dense_2')).toBeVisible()
})
