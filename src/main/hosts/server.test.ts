import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { shapesDoc } from '../../shared/testing'
import { browserService } from './browser'
import { appRoot } from './paths'
import { ATTACKS, stillServing } from './attacks'
import { parseTarget, startServer, type ServerHost } from './server'

let host: ServerHost
const staticDir = mkdtempSync(join(tmpdir(), 'netwright-static-'))
writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>Netwright</title>')

const fixtures = join(appRoot(), 'e2e/fixtures')
const workspace = mkdtempSync(join(tmpdir(), 'netwright-ws-'))

beforeAll(async () => {
  const service = browserService(workspace)
  host = await startServer({ service, staticDir })
})
afterAll(() => host.close())

function get(
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: host.port, path, headers }, (res) => {
      let body = ''
      res.on('data', (c) => (body += c))
      res.on('end', () => resolve({ status: res.statusCode!, body, headers: res.headers }))
    })
    req.on('error', reject)
    req.end()
  })
}

function socket(query: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ws${query}`, { headers })
    ws.once('open', () => resolve(ws))
    ws.once('error', reject)
  })
}

function call(
  ws: WebSocket,
  msg: unknown,
): Promise<{ result?: unknown; error?: { code: string; message: string } }> {
  return new Promise((resolve) => {
    ws.once('message', (d) => resolve(JSON.parse(String(d))))
    ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg))
  })
}

describe('the browser host', () => {
  it('refuses a request without the token, with a message', async () => {
    const r = await get('/')
    expect(r.status).toBe(401)
    expect(r.body).toContain('needs the access token')
    expect((await get('/?token=nope')).status).toBe(401)
  })

  it('serves the UI with the token and remembers it in a same-site cookie', async () => {
    const r = await get(`/?token=${host.token}`)
    expect(r.status).toBe(200)
    expect(r.body).toContain('Netwright')
    const cookie = String(r.headers['set-cookie'])
    expect(cookie).toContain('HttpOnly')
    expect(cookie).toContain('SameSite=Strict')
    expect((await get('/', { cookie: cookie.split(';')[0]! })).status).toBe(200)
  })

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    expect((await get(`/?token=${host.token}`, { host: `evil.example:${host.port}` })).status).toBe(421)
  })

  it('refuses a WebSocket without the token or from another origin', async () => {
    await expect(socket('')).rejects.toThrow()
    await expect(socket(`?token=${host.token}`, { origin: 'http://evil.example' })).rejects.toThrow()
  })

  it.each([
    ['cycle', 'closes a loop'],
    ['missing-node', 'does not exist (ghost)'],
    ['unknown-layer', 'Unknown layer type "Dense3D"'],
    ['wrong-param-type', 'units must be a whole number; received "many"'],
  ])(
    'opens the %s fixture over the WebSocket, reports it, and refuses to train it',
    async (name, message) => {
      const ws = await socket(`?token=${host.token}`)
      const document = JSON.parse(readFileSync(join(fixtures, `${name}.netwright.json`), 'utf8'))
      const check = await call(ws, { id: 1, method: 'model.check', params: { document } })
      expect(JSON.stringify((check.result as { problems: unknown }).problems)).toContain(
        message.replace(/"/g, '\\"'),
      )
      const start = await call(ws, { id: 2, method: 'training.start', params: { document } })
      expect(start.error?.code).toBe('invalid-model')
      expect(start.error?.message).toContain(message)
      ws.close()
    },
  )

  it('explains a truncated project sent over the WebSocket', async () => {
    const ws = await socket(`?token=${host.token}`)
    const text = readFileSync(join(fixtures, 'truncated.netwright.json'), 'utf8')
    writeFileSync(join(workspace, 'truncated.json'), text)
    const r = await call(ws, { id: 1, method: 'project.open', params: { path: 'truncated.json' } })
    expect(r.error?.code).toBe('invalid-document')
    expect(r.error?.message).toContain('looks truncated')
    ws.close()
  })

  it('answers contract calls over the WebSocket, and bad ones with clear errors', async () => {
    const ws = await socket(`?token=${host.token}`)
    const ok = await call(ws, { id: 1, method: 'model.check', params: { document: shapesDoc() } })
    expect((ok.result as { totalParams: number }).totalParams).toBe(100_867)
    const notJson = await call(ws, '{"id": 2, "method": ')
    expect(notJson.error).toEqual({ code: 'bad-request', message: 'The message was not valid JSON.' })
    const unknown = await call(ws, { id: 3, method: 'fs.readFile', params: {} })
    expect(unknown.error?.message).toContain('Unknown call "fs.readFile"')
    const badDoc = await call(ws, {
      id: 4,
      method: 'training.start',
      params: { document: { format: 'netwright', version: 1, nodes: 3 } },
    })
    expect(badDoc.error?.code).toBe('invalid-document')
    const cyc = shapesDoc()
    cyc.edges.push({ id: 'x', source: 'dense_1', target: 'input', targetPort: 0 })
    const badModel = await call(ws, { id: 5, method: 'training.start', params: { document: cyc } })
    expect(badModel.error?.code).toBe('invalid-model')
    expect(badModel.error?.message).toMatch(/closes a loop/)
    ws.close()
  })
})

describe('the browser host under attack', () => {
  it.each(ATTACKS.map((a) => [a.name, a] as const))(
    '%s: answered as it should, and the host still serves',
    async (_name, attack) => {
      const t = { port: host.port, token: host.token }
      const got = await attack.run(t)
      if (attack.expect.status) expect(attack.expect.status).toContain(got.status)
      if (attack.expect.close) expect(attack.expect.close).toContain(got.close)
      if (attack.expect.reply) expect(got.reply).toMatch(attack.expect.reply)
      expect(await stillServing(t)).toBe(true)
    },
  )

  it('a client flooding calls is told to wait, and another client is still answered', async () => {
    const flood = await socket(`?token=${host.token}`)
    const answers: { id: unknown; error?: { message: string } }[] = []
    flood.on('message', (d) => answers.push(JSON.parse(String(d))))
    // system.info waits for the trainer's backend probe (a second or two): calls pile up behind it.
    for (let i = 0; i < 2000; i++) flood.send(JSON.stringify({ id: i, method: 'system.info', params: {} }))
    const other = await socket(`?token=${host.token}`)
    const t = performance.now()
    const r = await call(other, { id: 'x', method: 'datasets.list', params: {} })
    expect(Array.isArray(r.result)).toBe(true)
    expect(performance.now() - t).toBeLessThan(5000)
    await new Promise((res) => setTimeout(res, 2000))
    expect(answers.some((a) => /Too many calls at once/.test(a.error?.message ?? ''))).toBe(true)
    flood.close()
    other.close()
  })

  it('parses only paths it serves', () => {
    expect(parseTarget('//')).toBeNull()
    expect(parseTarget('//:99999')).toBeNull()
    expect(parseTarget('/%')).toBeNull()
    expect(parseTarget('*')).toBeNull()
    expect(parseTarget('http://x/')).toBeNull()
    expect(parseTarget('/a%20b?token=t')).toMatchObject({ path: '/a b' })
    expect(parseTarget('/?token=t')!.query.get('token')).toBe('t')
  })
})
