import { expect, test } from '@playwright/test'
import { connect, openApp, setField } from './helpers'

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

test('a branch in a Sequential model is refused with an offer to convert to Functional', async ({ page }) => {
  await openApp(page)
  const box = (await page.getByTestId('node-dense').boundingBox())!
  const canvas = (await page.getByTestId('canvas').boundingBox())!
  await page.getByTestId('palette-Dense').dragTo(page.getByTestId('canvas'), {
    targetPosition: { x: box.x - canvas.x - 140, y: box.y - canvas.y + 130 },
  })
  await expect(page.getByTestId('node-dense_2')).toBeVisible()
  await connect(page, 'dense', 'dense_2')
  await expect(page.getByTestId('functional-offer')).toContainText(
    'dense already feeds a layer, and a Sequential model is a single chain. Convert the model to Functional',
  )
  await expect(page.locator('.react-flow__edge')).toHaveCount(3)
  await page.getByTestId('accept-functional').click()
  await expect(page.locator('.react-flow__edge')).toHaveCount(4)
  await expect(page.getByTestId('functional-offer')).toHaveCount(0)
  // Two outputs now; the model is Functional, and switching back to Sequential is refused.
  await page.getByTestId('canvas').click({ position: { x: 20, y: 20 } })
  await page.getByRole('combobox', { name: 'Style' }).selectOption('sequential')
  await expect(page.getByTestId('style-error')).toContainText('can only be Functional')
})

test('a second output gets its own loss and weight, and the model trains', async ({ page }) => {
  await openApp(page)
  const box = (await page.getByTestId('node-flatten').boundingBox())!
  const canvas = (await page.getByTestId('canvas').boundingBox())!
  await page.getByTestId('palette-Dense').dragTo(page.getByTestId('canvas'), {
    targetPosition: { x: box.x - canvas.x - 140, y: box.y - canvas.y + 200 },
  })
  await connect(page, 'flatten', 'dense_2')
  await page.getByTestId('accept-functional').click()
  await page.getByTestId('node-dense_2').click()
  await setField(page.getByTestId('param-units'), '3')
  await page.getByTestId('param-activation').selectOption('softmax')
  await expect(page.getByTestId('output-losses')).toBeVisible()
  await page.getByTestId('loss-dense_2').selectOption('sparse_categorical_crossentropy')
  await setField(page.getByTestId('weight-dense_2'), '0.5')
  await setField(page.getByTestId('epochs'), '1')
  await page.getByTestId('train').click()
  await expect(page.getByTestId('status-line')).toContainText('Finished 1 epoch.', { timeout: 60_000 })
  await expect(page.getByTestId('status-line')).toContainText(/val_accuracy \d\.\d{3}/)
})

test('a layer can be frozen (trainable off): the node says so, the totals count it, undo brings it back', async ({
  page,
}) => {
  await openApp(page)
  await expect(page.getByTestId('total-params')).toContainText('Total params: 100,867 · Trainable: 100,867')
  await page.getByTestId('node-dense').click()
  await page.getByTestId('param-trainable').uncheck()
  await expect(page.getByTestId('node-dense').getByTestId('frozen')).toBeVisible()
  await expect(page.getByTestId('node-trainable')).toHaveText('0')
  await expect(page.getByTestId('total-params')).toContainText('Total params: 100,867 · Trainable: 387')
  await page.getByTestId('node-dense').click()
  await page.keyboard.press('Control+z')
  await expect(page.getByTestId('node-dense').getByTestId('frozen')).toHaveCount(0)
  await expect(page.getByTestId('total-params')).toContainText('Trainable: 100,867')
})
