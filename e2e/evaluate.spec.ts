import { expect, test, type Page } from '@playwright/test'
import { openApp, setField } from './helpers'

/** The confusion matrix as the dialog shows it: counts by [true][predicted]. */
async function matrix(page: Page): Promise<number[][]> {
  const cells = page.getByTestId('confusion-cell')
  const out: number[][] = []
  for (const cell of await cells.all()) {
    const t = Number(await cell.getAttribute('data-true'))
    const p = Number(await cell.getAttribute('data-predicted'))
    ;(out[t] ??= [])[p] = Number(await cell.textContent())
  }
  return out
}

/** Opens a run's test results and checks the matrix against the reported accuracy; returns the matrix. */
async function checkResults(page: Page): Promise<number[][]> {
  await page.getByTestId('open-test-results').click()
  const dialog = page.getByRole('dialog', { name: 'Test results' })
  await expect(dialog).toBeVisible()
  const m = await matrix(page)
  const text = (await page.getByTestId('test-metrics').textContent())!
  const count = Number(/^([\d,]+) test samples/.exec(text)![1]!.replace(/,/g, ''))
  const accuracy = Number(/accuracy (\d\.\d{4})/.exec(text)![1])
  // The cells sum to the test count, and the diagonal gives the accuracy reported.
  expect(m.flat().reduce((a, b) => a + b, 0)).toBe(count)
  const diagonal = m.reduce((a, row, i) => a + row[i]!, 0)
  expect(accuracy).toBeCloseTo(diagonal / count, 4)
  await expect(page.getByTestId('per-class').locator('tbody tr')).toHaveCount(m.length)
  return m
}

test('train the default template, see its test confusion matrix, click a cell to see those images; the same after Stop', async ({
  page,
}) => {
  await openApp(page)
  await setField(page.getByTestId('epochs'), '2')
  await page.getByTestId('train').click()
  await expect(page.getByTestId('status-line')).toContainText('Finished 2 epochs', { timeout: 60_000 })
  await expect(page.getByTestId('test-summary')).toContainText(/Test \(300 samples\): accuracy \d\.\d{4}/)
  await expect(page.getByTestId('run-item').last()).toContainText(/test \d\.\d{3}/)
  // The validation rows' confusion matrix, live at each epoch's end (300 of the 1,500 shapes).
  await expect(page.getByTestId('live-confusion')).toHaveAttribute('data-epoch', '2')
  await expect(page.getByTestId('live-confusion')).toContainText(/Validation, epoch 2: \d+ of 300 right/)

  const m = await checkResults(page)
  expect(m).toHaveLength(3)
  // The wrong ones first, each with its image, its true and predicted class and its probabilities.
  const samples = page.getByTestId('test-sample')
  await expect(samples).toHaveCount(24)
  await expect(samples.first().locator('canvas')).toBeVisible()
  await expect(samples.first().locator('.prob-bars li')).toHaveCount(3)
  const wrong = m.flat().some((v, i) => v > 0 && Math.floor(i / 3) !== i % 3)
  if (wrong) await expect(samples.first()).toHaveClass(/wrong/)

  // A cell: its samples, every one of that true class predicted as that class.
  const [t, p] = wrong
    ? (() => {
        for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) if (a !== b && m[a]![b]! > 0) return [a, b]
        return [0, 0]
      })()
    : [0, 0]
  const classes = ['circle', 'square', 'triangle']
  await page.locator(`[data-testid="confusion-cell"][data-true="${t}"][data-predicted="${p}"]`).click()
  await expect(page.getByTestId('samples-heading')).toContainText(
    `${m[t]![p]} sample${m[t]![p] === 1 ? '' : 's'} of ${classes[t]} predicted as ${classes[p]}`,
  )
  await expect(samples).toHaveCount(Math.min(24, m[t]![p]!))
  for (const label of await page.getByTestId('sample-label').allTextContents())
    expect(label).toBe(`true: ${classes[t]} · predicted: ${classes[p]}`)
  await expect(samples.first().locator('canvas')).toBeVisible()
  await page.getByRole('button', { name: 'Close' }).click()
  await expect(page.getByRole('dialog', { name: 'Test results' })).toHaveCount(0)

  // A stopped run is evaluated too.
  await setField(page.getByTestId('epochs'), '500')
  await page.getByTestId('train').click()
  await expect(page.getByTestId('status-line')).toContainText(/epoch [2-9]\d*\/500/, { timeout: 30_000 })
  // Pause keeps the run as it is; Resume goes on.
  await page.getByTestId('pause').click()
  await expect(page.getByTestId('status-line')).toContainText(/paused at epoch \d+\/500/)
  await expect(page.getByTestId('pause')).toHaveText('Resume')
  await page.getByTestId('pause').click()
  await expect(page.getByTestId('status-line')).toContainText(/epoch \d+\/500 · \d+ samples\/s/)
  await page.getByTestId('stop').click()
  await expect(page.getByTestId('status-line')).toContainText('Stopped', { timeout: 10_000 })
  await expect(page.getByTestId('test-summary')).toContainText(/Test \(300 samples\)/)
  await checkResults(page)
  await page.getByRole('button', { name: 'Close' }).click()

  // Overlay the two runs: one line each, and a table of what differs (the epochs asked for).
  const ticks = page.getByTestId('compare-run')
  await ticks.nth(0).check()
  await ticks.nth(1).check()
  await expect(page.getByTestId('overlay-loss')).toHaveAttribute('data-runs', '2')
  await expect(page.getByTestId('overlay-loss').locator('.recharts-line')).toHaveCount(2)
  const table = page.getByTestId('compare-table')
  await expect(table.locator('thead')).toContainText('epochs')
  await expect(table.locator('tbody tr')).toHaveCount(2)
  await expect(table.locator('tbody tr').nth(0).locator('td').first()).toHaveText('2')
  await expect(table.locator('tbody tr').nth(1).locator('td').first()).toHaveText('500')
  await ticks.nth(1).uncheck()
  await expect(page.getByTestId('chart-loss')).toBeVisible()
})

test('callbacks are set in the training panel, in Keras’s names, and removed again', async ({ page }) => {
  await openApp(page)
  await page.getByTestId('callbacks').locator('summary').click()
  await page.getByTestId('add-callback').selectOption('EarlyStopping')
  const cb = page.getByTestId('callback-EarlyStopping')
  await expect(cb).toContainText(
    'EarlyStopping: stop when val_loss has not improved for 3 epochs, keeping the best weights',
  )
  await setField(page.getByTestId('EarlyStopping-patience'), '1')
  await expect(cb).toContainText('for 1 epoch,')
  await page.getByTestId('add-callback').selectOption('ExponentialDecay')
  await expect(page.getByTestId('callbacks').locator('summary')).toHaveText('Callbacks (2)')
  await cb.getByRole('button', { name: 'Remove EarlyStopping' }).click()
  await expect(page.getByTestId('callbacks').locator('summary')).toHaveText('Callbacks (1)')
})

test('pre-flight checks show on the node at fault before Train, and Train says what to fix', async ({
  page,
}) => {
  await openApp(page)
  await page.getByTestId('node-dense_1').click()
  await setField(page.getByTestId('param-units'), '32')
  const message = 'The dataset has 3 classes, but this layer outputs 32 values per sample. Set units to 3.'
  await expect(page.getByTestId('node-dense_1').getByTestId('node-error')).toHaveText(message)
  await expect(page.getByTestId('problems')).toContainText(`dense_1: ${message}`)
  await page.getByTestId('train').click()
  await expect(page.getByTestId('train-error')).toContainText(`Fix the model first: ${message}`)
  // A warning (the activation against the loss) shows, and Train still runs.
  await setField(page.getByTestId('param-units'), '3')
  await page.getByTestId('param-activation').selectOption('relu')
  await expect(page.getByTestId('node-dense_1').getByTestId('node-error')).toContainText(
    'sparse_categorical_crossentropy expects probabilities that add up to 1',
  )
  await expect(page.getByTestId('problem')).toHaveClass(/warning/)
})

test('a saved project keeps its runs: reopened in a later session, they are listed and can be overlaid', async ({
  page,
}) => {
  await openApp(page)
  await page.getByTestId('save').click()
  await setField(page.getByTestId('file-name'), 'with-history.netwright.json')
  await expect(page.getByTestId('file-message')).toContainText('Saved with-history.netwright.json')
  for (const epochs of ['1', '2']) {
    await setField(page.getByTestId('epochs'), epochs)
    await page.getByTestId('train').click()
    await expect(page.getByTestId('status-line')).toContainText(`Finished ${epochs} epoch`, {
      timeout: 60_000,
    })
  }
  // A later session: the page reloaded, the project opened again.
  await page.reload()
  await expect(page.getByTestId('node-dense_1')).toBeVisible()
  await expect(page.getByTestId('run-item')).toHaveCount(0)
  await page.getByTestId('open').click()
  await page.getByTestId('file-list').getByText('with-history.netwright.json').click()
  await expect(page.getByTestId('file-message')).toContainText('and 2 earlier runs')
  await expect(page.getByTestId('run-item')).toHaveCount(2)
  await expect(page.getByTestId('run-item').first()).toContainText(/Earlier run, .* · done · test \d\.\d{3}/)
  const ticks = page.getByTestId('compare-run')
  await ticks.nth(0).check()
  await ticks.nth(1).check()
  await expect(page.getByTestId('overlay-loss')).toHaveAttribute('data-runs', '2')
  await expect(page.getByTestId('compare-table').locator('thead')).toContainText('epochs')
  // Their test results open as a run's of this session.
  await page.getByTestId('run-item').first().click()
  await page.getByTestId('open-test-results').click()
  await expect(page.getByTestId('confusion-matrix')).toBeVisible()
  await expect(page.getByTestId('test-sample').first().locator('canvas')).toBeVisible()
})
