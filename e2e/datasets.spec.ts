import { expect, test } from '@playwright/test'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { openApp, setField, WORKSPACE } from './helpers'

test('browse datasets, preview them, train on your own CSV file, and the Input follows the data', async ({
  page,
}) => {
  // Two numeric features a line separates, a text label, and an id column that is not a feature.
  const rows = Array.from({ length: 300 }, (_, i) => {
    const a = ((i * 37) % 100) / 10
    const b = ((i * 53) % 100) / 10
    return `${i},${a},${b},${a + b > 10 ? 'high' : 'low'}`
  })
  writeFileSync(join(WORKSPACE, 'points.csv'), `id,a,b,label\n${rows.join('\n')}\n`)

  await openApp(page)
  await page.getByTestId('browse-datasets').click()
  const dialog = page.getByRole('dialog', { name: 'Datasets' })
  // The project's dataset first: an image grid with labels and the class balance.
  await expect(dialog.getByTestId('preview-images').locator('canvas')).toHaveCount(32)
  await expect(dialog.getByTestId('preview-balance').locator('.balance-row')).toHaveCount(3)
  await expect(dialog.getByTestId('preview-shape')).toHaveText('[28, 28]')
  await dialog.getByTestId('dataset-option-flatten').check()
  await expect(dialog.getByTestId('preview-shape')).toHaveText('[784]')

  // A Keras dataset that is not cached says where its file will go, before any download.
  await dialog.getByTestId('dataset-item-mnist').click()
  await expect(dialog.getByTestId('dataset-files')).toContainText(
    join(WORKSPACE, '.keras', 'datasets', 'mnist.npz'),
  )
  await expect(dialog.getByTestId('preview-count')).toHaveText('not downloaded yet')
  await expect(dialog.getByTestId('dataset-detail')).toContainText('LeCun')

  await dialog.getByTestId('dataset-item-moons').click()
  await expect(dialog.getByTestId('preview-points').locator('circle')).toHaveCount(400)

  // Your own CSV: a clear message until the file is right, then its table, task and shape.
  await dialog.getByTestId('dataset-item-csv').click()
  await expect(dialog.getByTestId('dataset-preview-error')).toContainText('Choose a CSV file first')
  await setField(dialog.getByTestId('dataset-option-path'), 'nothing.csv')
  await expect(dialog.getByTestId('dataset-preview-error')).toContainText('There is no file at')
  await setField(dialog.getByTestId('dataset-option-path'), 'points.csv')
  await setField(dialog.getByTestId('dataset-option-ignore'), 'id')
  await expect(dialog.getByTestId('preview-table')).toBeVisible()
  await expect(dialog.getByTestId('preview-task')).toHaveText('classification')
  await expect(dialog.getByTestId('preview-shape')).toHaveText('[2]')
  await expect(dialog.getByTestId('preview-count')).toHaveText('240')
  await dialog.getByTestId('dataset-use').click()
  await expect(dialog).toHaveCount(0)
  await expect(page.getByTestId('dataset')).toHaveValue('csv')

  // The model's Input takes 28×28 images: flagged, and one click makes it follow the data.
  await expect(page.getByTestId('input-mismatch')).toContainText('this dataset gives [2]')
  await page.getByTestId('fit-input').click()
  await expect(page.getByTestId('input-mismatch')).toHaveCount(0)
  await expect(page.getByTestId('node-input').getByTestId('shape')).toHaveText('(None, 2)')
  // The Flatten after it now has nothing to unroll: said on the node; the user removes it and reconnects.
  await expect(page.getByTestId('problems')).toContainText('each sample is already a vector')
  await page.getByTestId('node-flatten').click()
  await page.keyboard.press('Delete')
  await expect(page.getByTestId('node-flatten')).toHaveCount(0)
  await expect(page.locator('.react-flow__edge')).toHaveCount(2) // the chain is joined
  // Before Train, the output is checked against the CSV's two classes, on its node.
  await expect(page.getByTestId('problems')).toContainText(
    'Problems (1)dense_1: The dataset has 2 classes, but this layer outputs 3 values per sample. Set units to 2.',
  )
  await page.getByTestId('node-dense_1').click()
  await setField(page.getByTestId('param-units'), '2')
  await expect(page.getByTestId('problems')).toContainText('Problems (0)')
  await setField(page.getByTestId('epochs'), '25')
  await page.getByTestId('train').click()
  await expect(page.getByTestId('status-line')).toContainText('Finished 25 epochs', { timeout: 60_000 })
  const acc = Number(
    (await page.getByTestId('status-line').textContent())!.match(/val_accuracy ([\d.]+)/)![1],
  )
  expect(acc).toBeGreaterThan(0.8)
})
