import { expect, type Locator, type Page } from '@playwright/test'

export const URL = process.env.NETWRIGHT_E2E_URL!
export const WORKSPACE = process.env.NETWRIGHT_E2E_WORKSPACE!

/** Opens the app and waits for the default project. */
export async function openApp(page: Page): Promise<void> {
  await page.goto(URL)
  await expect(page.getByTestId('node-dense_1')).toBeVisible()
  // The view is placed 50 ms after the layers are measured; where a layer is drawn counts from then.
  await expect(page.getByTestId('canvas')).toHaveAttribute('data-fitted', 'true')
}

/** Drags a palette item onto the canvas at a point relative to the canvas's top-left corner. */
export async function dropLayer(page: Page, label: string, x: number, y: number): Promise<void> {
  await page.getByTestId(`palette-${label}`).dragTo(page.getByTestId('canvas'), { targetPosition: { x, y } })
}

/** Connects the output handle of one layer to the input handle of another, as a user drags it. */
export async function connect(page: Page, from: string, to: string): Promise<void> {
  await page.getByTestId(`out-${from}`).dragTo(page.getByTestId(`in-${to}`))
}

export async function setField(field: Locator, value: string): Promise<void> {
  await field.fill(value)
  await field.press('Enter')
}

export async function chartPoints(page: Page, metric: 'loss' | 'accuracy'): Promise<number> {
  return Number(await page.getByTestId(`chart-${metric}`).getAttribute('data-points'))
}

/** Writes `doc` into the workspace as `file` and opens it from the app's Open dialog. */
export async function openDocument(page: Page, file: string, doc: unknown): Promise<void> {
  const { writeFileSync } = await import('node:fs')
  const { join } = await import('node:path')
  writeFileSync(join(WORKSPACE, file), JSON.stringify(doc))
  await openApp(page)
  await page.getByTestId('open').click()
  await page.getByTestId('file-list').getByText(file).click()
}
