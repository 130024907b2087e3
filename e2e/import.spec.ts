import { expect, test } from '@playwright/test'
import { copyFileSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { openApp, setField, WORKSPACE } from './helpers'

test('File > Open imports a Keras model JSON as a new project, and never overwrites it on save', async ({
  page,
}) => {
  const source = join(import.meta.dirname, 'fixtures', 'keras-mlp.json')
  copyFileSync(source, join(WORKSPACE, 'keras-mlp.json'))
  await openApp(page)
  await page.getByTestId('open').click()
  await page.getByTestId('file-list').getByText('keras-mlp.json').click()
  await expect(page.getByTestId('file-message')).toContainText('Imported keras-mlp.json')
  await expect(page.getByTestId('total-params')).toContainText('Total params: 407,050')
  await expect(page.getByTestId('node-dropout').getByTestId('shape')).toHaveText('(None, 512)')
  await expect(page.getByTestId('doc-title')).toHaveText('Unsaved project')
  await page.getByTestId('save').click()
  await setField(page.getByTestId('file-name'), 'imported-mlp.netwright.json')
  await expect(page.getByTestId('file-message')).toContainText('Saved imported-mlp.netwright.json')
  expect(readFileSync(join(WORKSPACE, 'keras-mlp.json'), 'utf8')).toBe(readFileSync(source, 'utf8'))
})
