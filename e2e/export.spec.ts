import { expect, test } from '@playwright/test'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { openApp, setField, WORKSPACE } from './helpers'

test('after a run, export its weights and a Python script from the UI; keep the run with the project; import it back', async ({
  page,
}) => {
  await openApp(page)
  // No weights yet: the TensorFlow.js export says so, and nothing is written.
  await page.getByTestId('export').click()
  await page.getByTestId('export-format').selectOption('tfjs')
  await expect(page.getByTestId('export-no-run')).toContainText('None yet: train the model first')
  await page.getByTestId('export-confirm').click()
  await expect(page.getByTestId('export-error')).toContainText('There are no trained weights yet')
  await page.getByRole('button', { name: 'Cancel' }).click()

  await setField(page.getByTestId('epochs'), '1')
  await page.getByTestId('train').click()
  await expect(page.getByTestId('status-line')).toContainText('Finished 1 epoch', { timeout: 60_000 })

  // Export this run's weights: a name with a path separator is refused, the dialog keeps what was typed.
  await page.getByTestId('export-run').click()
  await expect(page.getByTestId('export-format')).toHaveValue('tfjs')
  await expect(page.getByTestId('export-run-choice')).toContainText('Run 1 (val_loss')
  await page.getByTestId('export-folder').fill('exports/ui')
  await page.getByTestId('export-name').fill('sub/shapes')
  await page.getByTestId('export-confirm').click()
  await expect(page.getByTestId('export-error')).toContainText('contains a path separator')
  await expect(page.getByTestId('export-folder')).toHaveValue('exports/ui')
  await setField(page.getByTestId('export-name'), 'shapes')
  await expect(page.getByTestId('file-message')).toContainText(
    'Exported exports/ui/shapes.json, exports/ui/shapes.weights.bin',
  )
  const folder = join(WORKSPACE, 'exports', 'ui')
  expect(readdirSync(folder).sort()).toEqual(['shapes.json', 'shapes.weights.bin'])
  expect(JSON.parse(readFileSync(join(folder, 'shapes.json'), 'utf8')).weightsManifest[0].paths).toEqual([
    'shapes.weights.bin',
  ])

  // The Python script (Ctrl+E), with the generated data beside it.
  await page.keyboard.press('Control+e')
  await expect(page.getByTestId('export-format')).toHaveValue('python')
  await expect(page.getByTestId('export-name')).toHaveValue('train')
  await page.getByTestId('export-folder').fill('exports/py')
  await page.getByTestId('export-confirm').click()
  await expect(page.getByTestId('file-message')).toContainText('Exported exports/py/train.py')
  expect(readFileSync(join(WORKSPACE, 'exports', 'py', 'train.py'), 'utf8')).toContain('def build_model():')

  // Save: the run's weights are kept beside the project, and come back when it is reopened.
  await page.getByTestId('save').click()
  await setField(page.getByTestId('file-name'), 'kept-run.netwright.json')
  await expect(page.getByTestId('file-message')).toContainText(
    'Saved kept-run.netwright.json with the weights of Run 1',
  )
  expect(existsSync(join(WORKSPACE, 'kept-run.weights', 'model.json'))).toBe(true)
  await page.reload()
  await expect(page.getByTestId('node-dense_1')).toBeVisible()
  await page.getByTestId('open').click()
  await page.getByTestId('file-list').getByText('kept-run.netwright.json').click()
  await expect(page.getByTestId('file-message')).toContainText(
    'Opened kept-run.netwright.json with its kept run (1 epochs)',
  )
  await expect(page.getByTestId('run-item')).toContainText(['Kept run'])
  await expect(page.getByTestId('status-line')).toContainText('Kept with the project')
  await expect(page.getByTestId('start-from')).toBeVisible()

  // Import the exported model.json: its weights come with it, and Train starts from them.
  await page.getByTestId('open').click()
  await page.getByTestId('file-list').getByText('exports/ui/shapes.json').click()
  await expect(page.getByTestId('file-message')).toContainText(
    'with its trained weights (Train starts from them)',
  )
  await expect(page.getByTestId('start-from')).toContainText('Imported weights')
  await page.getByTestId('train').click()
  await expect(page.getByTestId('status-line')).toContainText(/Finished \d+ epoch/, { timeout: 90_000 })
})
