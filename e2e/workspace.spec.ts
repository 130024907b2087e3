import { expect, test, type Locator, type Page } from '@playwright/test'
import { shapesCnnDoc } from '../src/shared/testing'
import { openApp, openDocument, setField } from './helpers'

// The workspace as a learner sees it on a small laptop screen: Train in view, panels that resize and
// fold and are remembered, nodes that say what they are, and the teaching views in the inspector.
test.use({ viewport: { width: 1280, height: 720 } })

async function inView(page: Page, el: Locator) {
  const box = (await el.boundingBox())!
  const view = page.viewportSize()!
  expect(box.y).toBeGreaterThanOrEqual(0)
  expect(box.y + box.height).toBeLessThanOrEqual(view.height)
  expect(box.x + box.width).toBeLessThanOrEqual(view.width)
}

// One run of the default project, three epochs: what stays in view, and what the panel then shows.
test('Train and Stop stay in view at 1280×720 before and after a run; the charts mark epochs; each layer’s gradient size', async ({
  page,
}) => {
  await openApp(page)
  await inView(page, page.getByTestId('train'))
  await inView(page, page.getByTestId('stop'))
  await setField(page.getByTestId('epochs'), '3')
  await page.getByTestId('train').click()
  await expect(page.getByTestId('status-line')).toContainText('Finished 3 epochs', { timeout: 60_000 })
  // After a run the panel has more in it (Start from, test results, the runs list): Train stays put.
  await expect(page.getByTestId('start-from')).toBeAttached()
  await inView(page, page.getByTestId('train'))
  await inView(page, page.getByTestId('stop'))
  await expect(page.getByTestId('train')).toBeEnabled()
  // The charts count batches and mark each epoch's end.
  const chart = page.getByTestId('chart-loss')
  await expect(chart).toHaveAttribute('data-epoch-lines', '3')
  await expect(chart.locator('.epoch-line')).toHaveCount(3)
  await expect(chart).toContainText('epoch 3')
  // Each layer's gradient size by epoch: the two Dense layers (Flatten has no weights), three epochs.
  const gradients = page.getByTestId('gradients-chart')
  await expect(gradients).toHaveAttribute('data-layers', '2')
  await expect(gradients).toHaveAttribute('data-epochs', '3')
  await expect(gradients.locator('.recharts-legend-item-text')).toHaveText(['dense', 'dense_1'])
})

test('the training panel folds to its bar and the layout is remembered after a reload', async ({ page }) => {
  await openApp(page)
  const settings = page.getByTestId('epochs')
  await expect(settings).toBeVisible()
  await page.getByTestId('fold-training').click()
  await expect(settings).toBeHidden()
  await inView(page, page.getByTestId('train'))
  const canvasFolded = (await page.getByTestId('canvas').boundingBox())!.height
  await page.reload()
  await expect(page.getByTestId('node-dense_1')).toBeVisible()
  await expect(page.getByTestId('epochs')).toBeHidden()
  expect(Math.abs((await page.getByTestId('canvas').boundingBox())!.height - canvasFolded)).toBeLessThan(4)
  await page.getByTestId('fold-training').click()
  await expect(page.getByTestId('epochs')).toBeVisible()
  // A divider, dragged, resizes the inspector.
  const side = page.getByTestId('inspector-column')
  const before = (await side.boundingBox())!.width
  const divider = page.getByRole('separator', { name: 'Resize the inspector' })
  const d = (await divider.boundingBox())!
  await page.mouse.move(d.x + d.width / 2, d.y + 40)
  await page.mouse.down()
  await page.mouse.move(d.x - 80, d.y + 40, { steps: 5 })
  await page.mouse.up()
  expect((await side.boundingBox())!.width).toBeGreaterThan(before + 60)
})

test('nodes say what they are; the inspector derives the parameter count and draws the activation', async ({
  page,
}) => {
  await openApp(page)
  // Each Dense says its units and activation on the canvas, as Netron's nodes do.
  await expect(page.getByTestId('node-dense').getByTestId('gist')).toHaveText('128 units · relu')
  await expect(page.getByTestId('node-dense_1').getByTestId('gist')).toHaveText('3 units · softmax')
  await page.getByTestId('node-dense').click()
  await expect(page.getByTestId('param-formula')).toContainText('784 × 128 + 128 = 100,480')
  const curve = page.getByTestId('activation-curve')
  const relu = await curve.getAttribute('d')
  await expect(page.getByTestId('activation-plot')).toContainText('max(0, x)')
  await page.getByTestId('param-activation').selectOption('sigmoid')
  await expect(page.getByTestId('activation-plot')).toContainText('1 / (1 + e⁻ˣ)')
  expect(await curve.getAttribute('d')).not.toBe(relu)
  await expect(page.getByTestId('node-dense').getByTestId('gist')).toHaveText('128 units · sigmoid')
  // Beside the perceptron's step, which the decks start from (not a Keras activation).
  await page.getByTestId('activation-compare').selectOption('step')
  await expect(page.getByTestId('activation-compare-curve')).toBeVisible()
  await expect(page.getByTestId('activation-compare-note')).toContainText('1 if x ≥ 0, else 0')
  await expect(page.getByTestId('activation-compare-note')).toContainText('its slope is 0 everywhere')
  // Changing the units changes the sum.
  await setField(page.getByTestId('param-units'), '64')
  await expect(page.getByTestId('param-formula')).toContainText('784 × 64 + 64 = 50,240')
})

test('the toolbar stays one line, whatever the status says', async ({ page }) => {
  await openApp(page)
  const bar = page.locator('header.toolbar')
  expect((await bar.boundingBox())!.height).toBeLessThanOrEqual(41)
  for (const id of ['templates', 'save-as', 'export', 'summary', 'tidy'])
    expect((await page.getByTestId(id).boundingBox())!.height).toBeLessThan(34)
})

test('training on the spirals redraws the decision boundary behind the points while it runs', async ({
  page,
}) => {
  await openApp(page)
  await page.getByTestId('templates').click()
  await page.getByTestId('template-keras-first-example').click()
  await expect(page.getByTestId('node-dense_2')).toBeVisible()
  await setField(page.getByTestId('epochs'), '500')
  await page.getByTestId('train').click()
  const view = page.getByTestId('decision-boundary')
  await expect(view).toBeVisible({ timeout: 60_000 })
  const first = {
    epoch: Number(await view.getAttribute('data-epoch')),
    digest: await view.getAttribute('data-digest'),
  }
  // Later in the same run (it is still training), the picture is another one.
  await expect(page.getByTestId('stop')).toBeEnabled()
  await expect
    .poll(async () => Number(await view.getAttribute('data-epoch')), { timeout: 60_000 })
    .toBeGreaterThan(first.epoch + 2)
  await expect(page.getByTestId('stop')).toBeEnabled()
  expect(await view.getAttribute('data-digest')).not.toBe(first.digest)
  await page.getByTestId('stop').click()
  await expect(page.getByTestId('train')).toBeEnabled({ timeout: 30_000 })
  await expect(view).toBeVisible()
})

test('inside a trained shapes CNN: the feature maps and the softmax bars for a chosen sample', async ({
  page,
}) => {
  const doc = shapesCnnDoc()
  doc.training.epochs = 2
  doc.dataset.options = { count: 300 }
  await openDocument(page, 'shapes-cnn.netwright.json', doc)
  await expect(page.getByTestId('node-conv2d').getByTestId('gist')).toHaveText('8 filters · 3×3 · relu')
  await page.getByTestId('train').click()
  await page.getByTestId('open-inside').click({ timeout: 90_000 })
  const view = page.getByTestId('inside-view')
  await expect(view).toHaveAttribute('data-index', '0')
  await expect(page.getByTestId('feature-maps-conv2d').locator('canvas')).toHaveCount(8)
  await expect(page.getByTestId('feature-maps-conv2d')).toContainText('8 feature maps of 26 × 26')
  await expect(page.getByTestId('feature-maps-max_pooling2d')).toContainText('13 × 13')
  await expect(page.getByTestId('activations-dense')).toContainText('16 values')
  // One bar per class, the probabilities adding up to 100 %.
  const values = page.getByTestId('softmax-bars').getByTestId('softmax-value')
  await expect(values).toHaveCount(3)
  const sum = (await values.allTextContents()).reduce((a, t) => a + parseFloat(t), 0)
  expect(Math.abs(sum - 100)).toBeLessThan(0.5)
  // Another sample, chosen by the user.
  await page.getByTestId('inside-next').click()
  await expect(view).toHaveAttribute('data-index', '1')
  await setField(page.getByTestId('inside-index'), '7')
  await expect(view).toHaveAttribute('data-index', '7')
})

test('after a paste is undone, selecting a layer shows it in the inspector again', async ({ page }) => {
  await openApp(page)
  await page.getByTestId('node-dense').click()
  await expect(page.getByTestId('inspector')).toContainText('Dense')
  await page.keyboard.press('Control+c')
  await page.keyboard.press('Control+v')
  await expect(page.getByTestId('node-dense_2')).toBeVisible()
  await expect(page.getByTestId('param-name')).toHaveValue('dense_2')
  await page.keyboard.press('Control+z')
  await expect(page.getByTestId('node-dense_2')).toHaveCount(0)
  for (const name of ['dense', 'dense_1', 'dense']) {
    await page.getByTestId(`node-${name}`).click()
    await expect(page.getByTestId('param-name')).toHaveValue(name)
  }
})

test('a problem in the list starts on its bullet’s line', async ({ page }) => {
  await openApp(page)
  await page.getByTestId('node-dense_1').click()
  await setField(page.getByTestId('param-units'), '4')
  await page.getByTestId('canvas').click({ position: { x: 20, y: 20 } })
  // A long message, wrapped: its first line is on the bullet's line, so the item is no taller than its text.
  await page.getByTestId('node-flatten').click()
  await page.keyboard.press('Delete')
  const item = page.getByTestId('problem').first()
  await expect(item).toBeVisible()
  const text = item.getByRole('button')
  const [li, button] = [(await item.boundingBox())!, (await text.boundingBox())!]
  expect(Math.abs(li.y - button.y)).toBeLessThan(3)
  // A button is an inline-block: the bullet sits on its baseline, its last line, unless it is aligned to the top.
  expect(await text.evaluate((el) => getComputedStyle(el).verticalAlign)).toBe('top')
})

test('a convolution’s window drawn on the decks’ 6×6 input, with the output size derived', async ({
  page,
}) => {
  await openDocument(page, 'conv-view.netwright.json', shapesCnnDoc())
  await page.getByTestId('node-conv2d').click()
  const view = page.getByTestId('conv-view')
  await expect(page.getByTestId('conv-demo-output')).toHaveText('4×4')
  await expect(page.getByTestId('conv-own')).toContainText('⌊(28 − 3) / 1⌋ + 1 = 26')
  await expect(page.getByTestId('param-formula')).toContainText('3 × 3 × 1 × 8 + 8 = 80')
  // Sliding the window moves it by the stride.
  const x0 = Number(await page.getByTestId('conv-window').getAttribute('x'))
  await page.getByTestId('conv-next').click()
  expect(Number(await page.getByTestId('conv-window').getAttribute('x'))).toBeGreaterThan(x0)
  await page.getByTestId('param-padding').selectOption('same')
  await expect(page.getByTestId('conv-demo-output')).toHaveText('6×6')
  await expect(view).toContainText('2 zeros added per axis')
  await expect(page.getByTestId('conv-own')).toContainText('⌈28 / 1⌉ = 28')
  await setField(page.getByTestId('param-strides'), '2, 2')
  await expect(page.getByTestId('conv-demo-output')).toHaveText('3×3')
  await expect(page.getByTestId('node-conv2d').getByTestId('shape')).toHaveText('(None, 14, 14, 8)')
  // The pooling layer after it gets the same view, its window the pool.
  await page.getByTestId('node-max_pooling2d').click()
  await expect(page.getByTestId('conv-view')).toContainText('A 2×2 pool, stride 2')
})

test('a deep template opens readable: its first layers at a readable zoom, not the whole column in 5-px text', async ({
  page,
}) => {
  await openApp(page)
  await page.getByTestId('templates').click()
  await page.getByTestId('template-shallow-vggnet').click()
  const first = page.getByTestId('node-input')
  await expect(first).toBeVisible()
  // A node is 220 px wide at zoom 1; opened, it is shown at 0.7 or more, from the top of the model.
  await expect.poll(async () => (await first.boundingBox())!.width).toBeGreaterThan(150)
  await inView(page, first)
  // A small model still fits as a whole.
  await page.getByTestId('templates').click()
  await page.getByTestId('template-shapes-mlp').click()
  await inView(page, page.getByTestId('node-dense_1'))
})

test('dialogs keep the focus inside, close with Escape and give the focus back; a stray click outside the Export form loses nothing', async ({
  page,
}) => {
  await openApp(page)
  const summaryButton = page.getByTestId('summary')
  await summaryButton.click()
  const summary = page.getByRole('dialog', { name: 'Model summary' })
  await expect(summary).toBeVisible()
  // The page behind is out of reach while it is open: Tab goes round the dialog's own buttons.
  for (let i = 0; i < 4; i++) {
    await page.keyboard.press('Tab')
    expect(await summary.evaluate((d) => d.contains(document.activeElement))).toBe(true)
  }
  await page.keyboard.press('Escape')
  await expect(summary).toHaveCount(0)
  await expect(summaryButton).toBeFocused()
  // A click outside a dialog that only shows something closes it.
  await summaryButton.click()
  await page.mouse.click(5, 700)
  await expect(page.getByRole('dialog', { name: 'Model summary' })).toHaveCount(0)

  // The export form, half filled, survives a click outside; Escape still closes it.
  await page.getByTestId('export').click()
  const exportDialog = page.getByRole('dialog', { name: 'Export' })
  await expect(exportDialog).toBeVisible()
  // It says what it will write, by name.
  await page.getByTestId('export-format').selectOption('python')
  await setField(page.getByTestId('export-name'), 'digits')
  await expect(page.getByTestId('export-writes')).toHaveText(
    'Writes digits.py (and digits_data.npz beside it for built-in or your own data)',
  )
  await page.getByTestId('export-format').selectOption('keras-json')
  const name = await page.getByTestId('export-name').inputValue()
  await expect(page.getByTestId('export-writes')).toHaveText(`Writes ${name.replace(/\.json$/, '')}.json`)
  await page.mouse.click(5, 700)
  await expect(exportDialog).toBeVisible()
  await expect(page.getByTestId('export-format')).toHaveValue('keras-json')
  await page.keyboard.press('Escape')
  await expect(exportDialog).toHaveCount(0)
})

test('no choice in the training settings or the inspector is cut off at 1280×720', async ({ page }) => {
  await openApp(page)
  await page.getByTestId('node-dense').click()
  // The choices the host fills in once it has answered: every dataset, the backend it chose.
  await expect(page.getByTestId('backend').locator('option').first()).toHaveText(/^Automatic \(\w/)
  await expect.poll(() => page.getByTestId('dataset').locator('option').count()).toBeGreaterThan(10)
  // Each option's text, in the select's own font, against the room the select gives it (less its arrow).
  const cut = await page.evaluate(() => {
    const ctx = document.createElement('canvas').getContext('2d')!
    const out: string[] = []
    for (const sel of document.querySelectorAll<HTMLSelectElement>(
      '.training-settings select, .training-panel select, .side select',
    )) {
      if (!sel.offsetParent) continue
      const st = getComputedStyle(sel)
      ctx.font = `${st.fontWeight} ${st.fontSize} ${st.fontFamily}`
      const room = sel.clientWidth - parseFloat(st.paddingLeft) - parseFloat(st.paddingRight) - 18
      for (const o of sel.options)
        if (ctx.measureText(o.text).width > room) out.push(`${sel.dataset.testid ?? sel.id}: ${o.text}`)
    }
    return out
  })
  expect(cut).toEqual([])
})

test('the learning rate’s effect on the model: the loss against the rate, yours and the fastest fall marked, one click to use it', async ({
  page,
}) => {
  await openApp(page)
  await page.getByTestId('lr-find').click()
  const dialog = page.getByRole('dialog', { name: 'The learning rate’s effect' })
  await expect(dialog.getByTestId('lr-chart')).toBeVisible({ timeout: 60_000 })
  expect(Number(await dialog.getByTestId('lr-chart').getAttribute('data-points'))).toBeGreaterThan(20)
  await expect(dialog.getByTestId('lr-verdict')).toContainText(/The loss falls fastest around \d\.\de−\d/)
  await expect(dialog.getByTestId('lr-verdict')).toContainText('Yours is 1.0e−3')
  await expect(dialog.getByTestId('lr-verdict')).toContainText('it blows up')
  // The chart's two marks: the project's rate and the suggestion.
  await expect(dialog.locator('.recharts-reference-line')).toHaveCount(2)
  const use = dialog.getByTestId('lr-use')
  const suggested = Number((await use.textContent())!.replace('Use ', '').replace('−', '-'))
  await use.click()
  await expect(dialog).toHaveCount(0)
  expect(Number(await page.getByTestId('learning-rate').inputValue())).toBeCloseTo(suggested, 10)
  // One edit: undo gives the old rate back.
  await page.getByTestId('undo').click()
  await expect(page.getByTestId('learning-rate')).toHaveValue('0.001')
})
