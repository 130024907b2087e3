import { randomBytes, timingSafeEqual } from 'node:crypto'
import { createReadStream, existsSync, statSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, normalize, sep } from 'node:path'
import { WebSocketServer, type WebSocket } from 'ws'
import type { Service } from '../service'
import { toWireError } from '../service/errors'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
}

const COOKIE = 'netwright_token'

export interface ServerHost {
  url: string
  port: number
  token: string
  close(): Promise<void>
}

export interface ServerOptions {
  service: Service
  /** The built renderer (index.html and assets). */
  staticDir: string
  port?: number
  host?: string
  token?: string
}

function sameToken(a: string | undefined | null, b: string): boolean {
  if (!a) return false
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

function cookieToken(req: IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, v] = part.trim().split('=')
    if (k === COOKIE) return v
  }
  return undefined
}

/**
 * The browser host: serves the built UI and binds the service to a WebSocket. Every request must
 * carry the access token printed at start (in the URL once, then in a same-site cookie), and the
 * Host and Origin headers must name this server, so other sites and DNS rebinding cannot reach it.
 */
export async function startServer(opts: ServerOptions): Promise<ServerHost> {
  const token = opts.token ?? randomBytes(24).toString('base64url')
  const bindHost = opts.host ?? '127.0.0.1'
  let port = 0
  const loopback = ['127.0.0.1', 'localhost', '::1'].includes(bindHost)
  // On loopback, only loopback names may be in the Host header (a guard against DNS rebinding). On
  // another interface (driving a GPU box from a browser elsewhere) the token alone guards the door.
  const hostOk = (host: string | undefined): boolean =>
    !loopback || [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`].includes(host ?? '')

  const authorized = (req: IncomingMessage, url: URL): boolean =>
    sameToken(url.searchParams.get('token'), token) || sameToken(cookieToken(req), token)

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://local')
    if (!hostOk(req.headers.host)) {
      res.writeHead(421, { 'content-type': 'text/plain' }).end('Netwright: unexpected Host header.')
      return
    }
    if (!authorized(req, url)) {
      res
        .writeHead(401, { 'content-type': 'text/plain; charset=utf-8' })
        .end(
          'Netwright: this server needs the access token. Open the full URL it printed when it started (…/?token=…).',
        )
      return
    }
    const headers: Record<string, string> = {
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
    }
    if (url.searchParams.has('token'))
      headers['set-cookie'] = `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`
    let rel = decodeURIComponent(url.pathname)
    if (rel === '/' || rel === '') rel = '/index.html'
    const file = normalize(join(opts.staticDir, rel))
    if (!file.startsWith(normalize(opts.staticDir) + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found')
      return
    }
    res.writeHead(200, { ...headers, 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' })
    createReadStream(file).pipe(res)
  })

  const wss = new WebSocketServer({ noServer: true, maxPayload: 32 * 1024 * 1024 })
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://local')
    const origin = req.headers.origin
    const originOk = !origin || origin.replace(/^https?:\/\//, '') === req.headers.host
    if (url.pathname !== '/ws' || !hostOk(req.headers.host) || !originOk || !authorized(req, url)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n')
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req))
  })

  wss.on('connection', (ws: WebSocket) => {
    const unsubscribe = opts.service.subscribe((event, payload) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ event, payload }))
    })
    ws.on('close', unsubscribe)
    ws.on('message', async (data) => {
      let id: unknown = null
      try {
        const msg = JSON.parse(String(data)) as { id?: unknown; method?: unknown; params?: unknown }
        id = msg.id ?? null
        const result = await opts.service.dispatch(msg.method, msg.params)
        ws.send(JSON.stringify({ id, result }))
      } catch (err) {
        const error =
          err instanceof SyntaxError
            ? { code: 'bad-request', message: 'The message was not valid JSON.' }
            : toWireError(err)
        ws.send(JSON.stringify({ id, error }))
      }
    })
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, bindHost, () => resolve())
  })
  port = (server.address() as AddressInfo).port
  const shownHost = bindHost.includes(':') ? `[${bindHost}]` : bindHost
  return {
    url: `http://${shownHost}:${port}/?token=${token}`,
    port,
    token,
    close: async () => {
      opts.service.shutdown()
      for (const c of wss.clients) c.terminate()
      await new Promise<void>((r) => server.close(() => r()))
    },
  }
}
