// The app's hidden trainer window, as the page it loads (trainer.html), in headless Chromium: the
// trainer protocol end to end on Chromium's WebGPU and WebGL2. Here both are SwiftShader, a software
// adapter, so the ladder passes them by and a run forces them, as `--backend webgpu` does.
import { expect, test, type Page } from '@playwright/test'
import { loadDataset } from '../src/main/datasets/builtins'
import { analyze } from '../src/shared/graph/analyze'
import { toKerasConfig } from '../src/shared/keras/config'
import { shapesDoc } from '../src/shared/testing'
import { URL } from './helpers'

test.use({
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    // WebGPU needs --enable-unsafe-webgpu on Linux; --disable-gpu (the other specs) would remove both.
    args: ['--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking', '--no-first-run'],
  },
})

type Msg = { type: string; [k: string]: unknown }

/** Opens the trainer page and starts keeping what it sends. */
async function openTrainer(page: Page): Promise<void> {
  const url = new globalThis.URL(URL) // the host's address with its token
  url.pathname = '/trainer.html'
  await page.goto(url.href)
  await expect(page.locator('#state')).toHaveText('Ready.')
  await page.evaluate(() => {
    const got: unknown[] = []
    ;(window as unknown as { got: unknown[] }).got = got
    window.addEventListener('netwright-trainer', (e) => {
      const msg = (e as CustomEvent).detail
      // The weights come back as bytes; keep their size, not the bytes.
      got.push(msg.type === 'model' ? { ...msg, weightData: msg.weightData.byteLength } : msg)
    })
  })
}

const received = (page: Page) => page.evaluate(() => (window as unknown as { got: Msg[] }).got)

async function until(page: Page, type: string): Promise<Msg[]> {
  await page.waitForFunction(
    (t) => (window as unknown as { got: Msg[] }).got.some((m) => m.type === t || m.type === 'error'),
    type,
    { timeout: 90_000 },
  )
  const got = await received(page)
  const error = got.find((m) => m.type === 'error')
  if (error) throw new Error(`The trainer window said: ${String(error.message)}`)
  return got
}

/** A start message as the app's host sends it: the shapes template's project, its data loaded. */
function start(backend: string, epochs: number, count = 1500) {
  const doc = shapesDoc()
  const data = loadDataset('shapes', { count, noise: 0.1, filled: 0.25 }, doc.training.seed)
  return {
    type: 'start',
    modelConfig: toKerasConfig(doc, analyze(doc)),
    compile: doc.compile,
    training: { ...doc.training, epochs },
    backend,
    save: true,
    // Plain arrays across the test's wire; the page makes them the same typed arrays again.
    data: { ...data, x: Array.from(data.x), y: Array.from(data.y) },
    types: [data.x.constructor.name, data.y.constructor.name],
  }
}

async function send(page: Page, msg: object): Promise<void> {
  await page.evaluate((m) => {
    const { data, types } = m as { data?: { x: number[]; y: number[] }; types?: string[] }
    const typed = { Float32Array, Uint8Array, Int32Array } as Record<string, { from(a: number[]): unknown }>
    if (data && types)
      Object.assign(data, { x: typed[types[0]!]!.from(data.x), y: typed[types[1]!]!.from(data.y) })
    window.postMessage(m, '*')
  }, msg)
}

test('the trainer window names its adapters and passes software ones by', async ({ page }) => {
  await openTrainer(page)
  await send(page, { type: 'probe' })
  const [backend] = await until(page, 'backend')
  const reports = backend!.reports as { name: string; available: boolean; detail: string; adapter?: object }[]
  expect(backend!.backend).toBe('cpu')
  expect(reports.map((r) => r.name)).toEqual(['webgpu', 'webgl', 'cpu'])
  expect(reports[0]).toMatchObject({ available: false, adapter: { name: 'swiftshader', software: true } })
  expect(reports[0]!.detail).toContain('only a software adapter, swiftshader')
  expect(reports[1]).toMatchObject({ available: false, adapter: { software: true } })
  expect(reports[1]!.detail).toMatch(/SwiftShader/)
})

for (const backend of ['webgpu', 'webgl'])
  test(`trains the shapes project on Chromium's ${backend} and sends back the trained model`, async ({
    page,
  }) => {
    await openTrainer(page)
    // 2 epochs of 1,000 samples reach ~0.96 (a software GPU: each epoch costs seconds here).
    await send(page, start(backend, 2, 1000))
    const got = await until(page, 'done')
    expect(got[0]).toMatchObject({ type: 'backend', backend })
    const report = (got[0]!.reports as { name: string; detail: string }[])[0]!
    expect(report.detail).toMatch(/SwiftShader|swiftshader/)
    expect(got[1]).toMatchObject({ type: 'running', epochs: 2, samples: 1000 })
    expect(got.filter((m) => m.type === 'epoch')).toHaveLength(2)
    const model = got.find((m) => m.type === 'model')!
    expect(model.weightData).toBe(100_867 * 4)
    expect((model.artifacts as { weightSpecs: unknown[] }).weightSpecs).toHaveLength(4)
    const done = got.at(-1)!
    expect(done).toMatchObject({ type: 'done', saved: true, stopped: false, epochsDone: 2, tensorsLeaked: 0 })
    // Two epochs of 1,000 samples from the document's seed: 0.89 on both (chance is 0.33).
    expect((done.final as { val_accuracy: number }).val_accuracy).toBeGreaterThan(0.8)
    await expect(page.locator('#state')).toHaveText('Done.')
  })

test('a run in the trainer window stops when asked, keeps what it trained, and takes one job at a time', async ({
  page,
}) => {
  await openTrainer(page)
  await send(page, start('webgpu', 50, 300))
  await until(page, 'epoch')
  await send(page, { type: 'probe' })
  await expect
    .poll(async () => (await received(page)).find((m) => m.type === 'error')?.message)
    .toBe('The trainer window is already running a job.')
  await send(page, { type: 'stop' })
  await expect.poll(async () => (await received(page)).at(-1)!.type, { timeout: 60_000 }).toBe('done')
  const done = (await received(page)).at(-1)!
  expect(done).toMatchObject({ type: 'done', stopped: true, saved: true })
  expect(done.epochsDone as number).toBeLessThan(50)
  // Once the run has ended, the window takes the next job.
  await send(page, { type: 'probe' })
  await expect.poll(async () => (await received(page)).at(-1)!.type).toBe('backend')
})
