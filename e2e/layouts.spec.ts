import { expect, test, type Page } from '@playwright/test'
import { shapesCnnDoc } from '../src/shared/testing'
import { dropLayer, openApp, openDocument } from './helpers'

// The canvas's layouts at 1280×720: Tidy up, left to right and compact, a layer dropped on a
// connection, repeated blocks folded. Layers never cover one another.
test.use({ viewport: { width: 1280, height: 720 } })

type Box = { x: number; y: number; width: number; height: number }
const overlaps = (a: Box, b: Box) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height
async function nodeBoxes(page: Page): Promise<Record<string, Box>> {
  const out: Record<string, Box> = {}
  for (const el of await page.locator('.react-flow__node').all()) {
    const id = (await el.getAttribute('data-id'))!
    out[id] = (await el.boundingBox())!
  }
  return out
}
function noOverlaps(boxes: Record<string, Box>) {
  const ids = Object.keys(boxes)
  for (const a of ids)
    for (const b of ids) if (a < b) expect(overlaps(boxes[a]!, boxes[b]!), `${a} / ${b}`).toBe(false)
}

test('Tidy up lays out around a layer showing an error (taller than the rest) and fits the view', async ({
  page,
}) => {
  const doc = shapesCnnDoc()
  // A Conv2D after the Flatten: its error makes it taller than its neighbours.
  const flatten = doc.nodes.find((n) => n.className === 'Flatten')!
  const next = doc.edges.find((e) => e.source === flatten.id)!
  doc.nodes.push({
    id: 'bad',
    className: 'Conv2D',
    name: 'misplaced_conv',
    params: { filters: 8, kernel_size: [3, 3] },
    position: { x: 900, y: 900 },
  })
  doc.edges = doc.edges.filter((e) => e !== next)
  doc.edges.push({ id: 'b1', source: flatten.id, target: 'bad', targetPort: 0 })
  doc.edges.push({ id: 'b2', source: 'bad', target: next.target, targetPort: 0 })
  await openDocument(page, 'tidy-error.netwright.json', doc)
  await expect(page.getByTestId('node-misplaced_conv').getByTestId('node-error')).toBeVisible()
  const canvas = (await page.getByTestId('canvas').boundingBox())!
  // The view panned far away from the model first.
  const empty = { x: canvas.x + canvas.width * 0.85, y: canvas.y + canvas.height * 0.45 }
  await page.mouse.move(empty.x, empty.y)
  await page.mouse.down()
  await page.mouse.move(empty.x - 300, empty.y - 40, { steps: 8 })
  await page.mouse.move(empty.x - 700, empty.y - 80, { steps: 8 })
  await page.mouse.up()
  await expect(page.getByTestId('node-input')).not.toBeInViewport()
  await page.getByTestId('tidy').click()
  await expect(async () => {
    const boxes = await nodeBoxes(page)
    noOverlaps(boxes)
    // The view fitted to the model again: its first layer near the top, at a readable size.
    expect(boxes.input!.y).toBeGreaterThanOrEqual(canvas.y - 1)
    expect(boxes.input!.y).toBeLessThan(canvas.y + canvas.height / 2)
    expect(boxes.input!.x).toBeGreaterThanOrEqual(canvas.x)
  }).toPass({ timeout: 10_000 })
})

test('left to right and compact layouts: the connections turn to the sides, one undo goes back', async ({
  page,
}) => {
  await openApp(page)
  const chain = ['input', 'flatten', 'dense', 'dense_1']
  await page.getByTestId('layout-direction').selectOption('right')
  await expect(async () => {
    const boxes = await nodeBoxes(page)
    noOverlaps(boxes)
    for (let i = 1; i < chain.length; i++)
      expect(boxes[chain[i]!]!.x).toBeGreaterThan(boxes[chain[i - 1]!]!.x + boxes[chain[i - 1]!]!.width - 1)
  }).toPass({ timeout: 10_000 })
  // Connections go in on the left and out on the right (read together, once the view has settled:
  // the handles move to the sides as the layers draw again, and the view is fitted after the layout).
  await expect(async () => {
    const node = (await page.getByTestId('node-dense').boundingBox())!
    const handleIn = (await page.getByTestId('in-dense').boundingBox())!
    const handleOut = (await page.getByTestId('out-dense').boundingBox())!
    expect(handleIn.x + handleIn.width / 2).toBeLessThan(node.x + 6)
    expect(handleOut.x + handleOut.width / 2).toBeGreaterThan(node.x + node.width - 6)
  }).toPass({ timeout: 10_000 })
  const node = (await page.getByTestId('node-dense').boundingBox())!
  // And the connections are drawn from side to side: each starts and ends at about the same height.
  await expect(async () => {
    const paths = await page
      .locator('.react-flow__edge-path')
      .evaluateAll((ps) => ps.map((p) => p.getAttribute('d')!))
    expect(paths).toHaveLength(3)
    for (const d of paths) {
      const nums = d.match(/-?\d+(\.\d+)?/g)!.map(Number)
      expect(Math.abs(nums[1]! - nums.at(-1)!), d).toBeLessThan(12)
    }
  }).toPass({ timeout: 10_000 })

  // Compact: shorter layers; what the gist said is in the tooltip.
  const tall = node.height
  await page.getByTestId('layout-compact').check()
  await expect(page.getByTestId('node-dense').getByTestId('gist')).toHaveCount(0)
  await expect(page.getByTestId('node-dense')).toHaveAttribute('title', /128 units · relu/)
  expect((await page.getByTestId('node-dense').boundingBox())!.height).toBeLessThan(tall)
  await expect(async () => noOverlaps(await nodeBoxes(page))).toPass({ timeout: 10_000 })

  // Each change is one undo step.
  await page.getByTestId('undo').click()
  await expect(page.getByTestId('node-dense').getByTestId('gist')).toBeVisible()
  await page.getByTestId('undo').click()
  await expect(page.getByTestId('layout-direction')).toHaveValue('down')
  // The positions come back as they were: the project's rows evenly spaced, not laid out afresh.
  await expect(async () => {
    const back = await nodeBoxes(page)
    const gaps = chain.slice(1).map((id, i) => back[id]!.y - back[chain[i]!]!.y)
    for (const g of gaps) expect(Math.abs(g - gaps[0]!)).toBeLessThan(1.5)
    expect(gaps[0]).toBeGreaterThan(0)
  }).toPass({ timeout: 10_000 })
  await page.waitForTimeout(300)
  const settled = await nodeBoxes(page)
  const gaps = chain.slice(1).map((id, i) => settled[id]!.y - settled[chain[i]!]!.y)
  for (const g of gaps) expect(Math.abs(g - gaps[0]!)).toBeLessThan(1.5)
})

test('a layer dropped on a connection goes between its ends without covering either, and what follows moves down', async ({
  page,
}) => {
  await openApp(page)
  const before = await nodeBoxes(page)
  const canvas = (await page.getByTestId('canvas').boundingBox())!
  // Right on the connection between dense and dense_1.
  const x = before.dense!.x + before.dense!.width / 2 - canvas.x
  const y = (before.dense!.y + before.dense!.height + before.dense_1!.y) / 2 - canvas.y
  await dropLayer(page, 'Dropout', x, y)
  await expect(page.getByTestId('node-dropout')).toBeVisible()
  await expect(async () => {
    const boxes = await nodeBoxes(page)
    noOverlaps(boxes)
    const dropout = Object.entries(boxes).find(([id]) => id.startsWith('dropout'))![1]
    expect(dropout.y).toBeGreaterThan(boxes.dense!.y + boxes.dense!.height)
    expect(boxes.dense_1!.y).toBeGreaterThan(dropout.y + dropout.height)
  }).toPass({ timeout: 10_000 })
})

test('ShallowVGGNet’s repeated blocks fold into one node and unfold again; a layer moved while folded keeps its move', async ({
  page,
}) => {
  await openApp(page)
  // The default project has no repeats: the choice shows only where there are some.
  await expect(page.getByTestId('layout-fold')).toHaveCount(0)
  await page.getByTestId('templates').click()
  await page.getByTestId('template-shallow-vggnet').click()
  await expect(page.getByTestId('node-input')).toBeVisible()
  const layers = page.locator('.react-flow__node-layer')
  await expect(layers).toHaveCount(18)
  await page.getByTestId('layout-fold').check()
  const fold = page.locator('.fold-node')
  await expect(fold).toHaveCount(1)
  await expect(fold).toContainText('6 layers ×2')
  await expect(fold).toContainText(
    'Conv2D → BatchNormalization → Conv2D → BatchNormalization → MaxPooling2D → Dropout',
  )
  await expect(layers).toHaveCount(6)
  // What follows the fold sits right below it, connected to it.
  await expect(async () => {
    const f = (await fold.boundingBox())!
    const next = (await page.getByTestId('node-flatten').boundingBox())!
    expect(next.y).toBeGreaterThan(f.y + f.height)
    expect(next.y - (f.y + f.height)).toBeLessThan(120)
    noOverlaps(await nodeBoxes(page))
  }).toPass({ timeout: 10_000 })
  await expect(page.locator('.react-flow__edge')).toHaveCount(6)

  // Moving a layer below the fold moves it in the project by as much.
  const flatten = page.getByTestId('node-flatten')
  const before = (await flatten.boundingBox())!
  await flatten.hover()
  await page.mouse.down()
  await page.mouse.move(before.x + before.width / 2 + 120, before.y + before.height / 2, { steps: 6 })
  await page.mouse.up()
  await page.getByTestId('unfold').click()
  await expect(layers).toHaveCount(18)
  await expect(fold).toHaveCount(0)
  await expect(async () => {
    const boxes = await nodeBoxes(page)
    const f = boxes.flatten!
    // Unfolded, flatten is below the last Dropout again, and 120 px (at this zoom) to the right of the rest.
    const input = boxes.input!
    expect(f.x - input.x).toBeGreaterThan(50)
    expect(f.y).toBeGreaterThan(boxes.dropout_1!.y)
  }).toPass({ timeout: 10_000 })
  await page.getByTestId('undo').click()
  await expect(async () => {
    const boxes = await nodeBoxes(page)
    expect(Math.abs(boxes.flatten!.x - boxes.input!.x)).toBeLessThan(2)
  }).toPass({ timeout: 10_000 })
})
