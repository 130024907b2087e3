// The running browser host (the one every other spec uses) under the scripted attack run: the
// requests and frames of the hostile-input report, a web page aiming at it from Chromium, every path
// in the contract through a link out of the workspace, and a weights manifest that points outside.
// After all of it the host must still serve the UI.
import { expect, test } from '@playwright/test'
import { spawn } from 'node:child_process'
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { WebSocket } from 'ws'
import { ATTACKS, stillServing } from '../src/main/hosts/attacks'
import { shapesDoc } from '../src/shared/testing'
import { openApp, URL, WORKSPACE } from './helpers'

const base = new globalThis.URL(URL)
const target = { port: Number(base.port), token: base.searchParams.get('token')! }

/** One call over the WebSocket, as the UI makes it. */
async function call(
  method: string,
  params: unknown,
): Promise<{ result?: unknown; error?: { code: string; message: string } }> {
  const ws = new WebSocket(`ws://${base.host}/ws?token=${target.token}`)
  await new Promise((r, j) => (ws.once('open', r), ws.once('error', j)))
  const reply = new Promise<{ id: number; result?: unknown; error?: { code: string; message: string } }>(
    (resolve) =>
      ws.on('message', (d) => {
        const m = JSON.parse(String(d))
        if (m.id === 1) resolve(m)
      }),
  )
  ws.send(JSON.stringify({ id: 1, method, params }))
  const r = await reply
  ws.close()
  return r
}

test('every request and frame of the attack run is answered, and the host keeps serving', async () => {
  for (const attack of ATTACKS) {
    const got = await attack.run(target)
    if (attack.expect.status) expect(attack.expect.status, attack.name).toContain(got.status)
    if (attack.expect.close) expect(attack.expect.close, attack.name).toContain(got.close)
    if (attack.expect.reply) expect(got.reply, attack.name).toMatch(attack.expect.reply)
    expect(await stillServing(target), `after ${attack.name}`).toBe(true)
  }
})

test('a web page aiming requests at the host from Chromium does not end it', async ({ page }) => {
  const origin = `http://127.0.0.1:${target.port}`
  await page.setContent(
    `<img src="${origin}//"><img src="${origin}//:99999"><img src="${origin}/%"><img src="${origin}/%25%">` +
      `<script>for (const p of ['//', '/%', '/ws']) try { new WebSocket('ws://127.0.0.1:${target.port}' + p) } catch {}</script>`,
  )
  await page.waitForTimeout(500)
  expect(await stillServing(target)).toBe(true)
})

test('every path in the contract is refused through a link out of the workspace', async () => {
  const outside = mkdtempSync(join(tmpdir(), 'netwright-outside-'))
  const project = JSON.stringify(shapesDoc())
  writeFileSync(join(outside, 'secret.netwright.json'), project)
  writeFileSync(join(outside, 'data.csv'), 'a,b\n1,0\n2,1\n')
  mkdirSync(join(outside, 'imgs', 'a'), { recursive: true })
  const links = join(WORKSPACE, 'attack')
  rmSync(links, { recursive: true, force: true })
  mkdirSync(links)
  symlinkSync(join(outside, 'secret.netwright.json'), join(links, 'link.netwright.json'))
  symlinkSync(outside, join(links, 'out'))
  symlinkSync(join(outside, 'data.csv'), join(links, 'data.csv'))
  symlinkSync(join(outside, 'imgs'), join(links, 'imgs'))
  const before = readdirSync(outside).sort()
  const document = shapesDoc()
  const csvDoc = { ...shapesDoc(), dataset: { id: 'csv', options: { path: 'attack/data.csv' } } }
  const calls: [string, unknown][] = [
    ['project.open', { path: 'attack/link.netwright.json' }],
    ['project.open', { path: 'attack/out/secret.netwright.json' }],
    ['project.save', { path: 'attack/link.netwright.json', document }],
    ['project.save', { path: 'attack/out/new.netwright.json', document }],
    ['export.model', { document, format: 'python', folder: 'attack/out', name: 'train' }],
    ['export.model', { document, format: 'svg', folder: 'attack/out/sub', name: 'm' }],
    ['datasets.preview', { id: 'csv', options: { path: 'attack/data.csv' } }],
    ['datasets.preview', { id: 'images', options: { path: 'attack/imgs' } }],
    ['training.start', { document: csvDoc }],
  ]
  for (const [method, params] of calls) {
    const r = await call(method, params)
    expect(r.error?.code, `${method} ${JSON.stringify(params).slice(0, 80)}`).toBe('forbidden')
    expect(r.error?.message).not.toContain(outside)
  }
  expect(readdirSync(outside).sort()).toEqual(before)
  expect(readFileSync(join(outside, 'secret.netwright.json'), 'utf8')).toBe(project)
  rmSync(links, { recursive: true, force: true })
})

test('a model.json whose manifest points outside its folder opens without its weights', async () => {
  const dir = join(WORKSPACE, 'attack-model')
  mkdirSync(dir, { recursive: true })
  const topology = (await call('model.check', { document: shapesDoc() })).result as { kerasConfig: unknown }
  writeFileSync(
    join(dir, 'model.json'),
    JSON.stringify({
      modelTopology: topology.kerasConfig,
      format: 'layers-model',
      weightsManifest: [
        {
          paths: ['../../../../etc/hostname'],
          weights: [{ name: 'dense/kernel', shape: [1], dtype: 'float32' }],
        },
      ],
    }),
  )
  const r = await call('project.open', { path: 'attack-model/model.json' })
  const opened = r.result as { run?: unknown; warnings: string[] }
  expect(opened.run).toBeUndefined()
  expect(opened.warnings.join(' ')).toMatch(/must be a plain file name beside the model\.json/)
  rmSync(dir, { recursive: true, force: true })
})

test('npm start’s browser host keeps projects outside the source tree by default, and says where', async () => {
  const home = mkdtempSync(join(tmpdir(), 'netwright-home-'))
  const env = { ...process.env, HOME: home, NETWRIGHT_WORKSPACE: '', NETWRIGHT_TOKEN: 'x' }
  const child = spawn(process.execPath, ['bin/netwright.js', 'serve', '--port', '0'], { env })
  let out = ''
  await new Promise<void>((resolve) =>
    child.stdout.on('data', (d) => {
      out += String(d)
      if (out.includes('Projects are read from')) resolve()
    }),
  )
  child.kill('SIGTERM')
  expect(out).toContain(
    `Projects are read from and saved to ${join(home, 'Netwright')} (the default workspace`,
  )
  expect(readdirSync(home)).toContain('Netwright')
})

test('after the attack run the UI still loads and works', async ({ page }) => {
  await openApp(page)
  await expect(page.getByTestId('total-params')).toContainText('Total params: 100,867')
})
