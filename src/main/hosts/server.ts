import { randomBytes, timingSafeEqual } from 'node:crypto'
import { createReadStream, realpathSync, statSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { extname, join, normalize, sep } from 'node:path'
import { WebSocketServer, type RawData, type WebSocket } from 'ws'
import type { WireError } from '../../shared/ipc/contract'
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

/** Calls one connection may have answered at once, and waiting behind them. */
const MAX_IN_FLIGHT = 8
const MAX_QUEUED = 256

/** The largest WebSocket message the host reads (a document of 10,000 layers is about 4 MB). */
export const MAX_MESSAGE_BYTES = 32 * 1024 * 1024

/**
 * A request target split into its path (percent-decoded) and query, or null when it is not a path
 * this server serves: `//`, `//host:99999`, `*`, an absolute URL, or a bad %-escape.
 */
export function parseTarget(raw: string | undefined): { path: string; query: URLSearchParams } | null {
  if (!raw || raw[0] !== '/' || raw.startsWith('//')) return null
  const q = raw.indexOf('?')
  const rawPath = q < 0 ? raw : raw.slice(0, q)
  let path: string
  try {
    path = decodeURIComponent(rawPath)
  } catch {
    return null
  }
  if (path.includes('\0')) return null
  return { path, query: new URLSearchParams(q < 0 ? '' : raw.slice(q + 1)) }
}

/** An id the client chose to match answers to calls: a number, a short string, or nothing. */
const idOf = (v: unknown): string | number | null =>
  (typeof v === 'number' && Number.isFinite(v)) || (typeof v === 'string' && v.length <= 200) ? v : null

/** The answer to one WebSocket message: a result or an error, always with the call's id. */
export async function replyTo(
  service: Service,
  data: RawData,
  isBinary: boolean,
): Promise<{ id: string | number | null; result?: unknown; error?: WireError }> {
  if (isBinary)
    return { id: null, error: { code: 'bad-request', message: 'Messages must be JSON text, not binary.' } }
  let msg: unknown
  try {
    const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data)
    msg = JSON.parse(bytes.toString('utf8'))
  } catch {
    return { id: null, error: { code: 'bad-request', message: 'The message was not valid JSON.' } }
  }
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg))
    return {
      id: null,
      error: { code: 'bad-request', message: 'A message must be a JSON object: {"id", "method", "params"}.' },
    }
  const { id: rawId, method, params } = msg as { id?: unknown; method?: unknown; params?: unknown }
  const id = idOf(rawId)
  if (rawId !== undefined && rawId !== null && id === null)
    return {
      id: null,
      error: { code: 'bad-request', message: 'A message id must be a number or a short string.' },
    }
  try {
    return { id, result: await service.dispatch(method, params) }
  } catch (err) {
    return { id, error: toWireError(err) }
  }
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
  const staticRoot = realpathSync.native(opts.staticDir)
  const loopback = ['127.0.0.1', 'localhost', '::1'].includes(bindHost)
  // On loopback, only loopback names may be in the Host header (a guard against DNS rebinding). On
  // another interface (driving a GPU box from a browser elsewhere) the token alone guards the door.
  const hostOk = (host: string | undefined): boolean =>
    !loopback || [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`].includes(host ?? '')

  const authorized = (req: IncomingMessage, query: URLSearchParams): boolean =>
    sameToken(query.get('token'), token) || sameToken(cookieToken(req), token)

  const plain = (res: ServerResponse, status: number, text: string) => {
    if (res.headersSent) return void res.destroy()
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(text)
  }

  /** Serves one request. Anything a request can make go wrong ends that request, never the host. */
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const target = parseTarget(req.url)
    if (!hostOk(req.headers.host)) return plain(res, 421, 'Netwright: unexpected Host header.')
    if (!target) return plain(res, 400, 'Netwright: that address is not one this server understands.')
    if (!authorized(req, target.query))
      return plain(
        res,
        401,
        'Netwright: this server needs the access token. Open the full URL it printed when it started (…/?token=…).',
      )
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return plain(res, 405, 'Netwright: only GET is served here.')
    const headers: Record<string, string> = {
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
    }
    if (target.query.has('token'))
      headers['set-cookie'] = `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`
    let rel = target.path
    if (rel === '/' || rel === '') rel = '/index.html'
    const file = normalize(join(staticRoot, rel))
    let size = -1
    try {
      if (file.startsWith(staticRoot + sep) && realpathSync.native(file).startsWith(staticRoot + sep)) {
        const st = statSync(file)
        if (st.isFile()) size = st.size
      }
    } catch {
      // not there: 404 below
    }
    if (size < 0) return plain(res, 404, 'Not found')
    res.writeHead(200, {
      ...headers,
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': String(size),
    })
    if (req.method === 'HEAD') return void res.end()
    createReadStream(file)
      .on('error', () => res.destroy())
      .pipe(res)
  }

  const server: Server = createServer((req, res) => {
    res.on('error', () => res.destroy())
    try {
      onRequest(req, res)
    } catch {
      plain(res, 500, 'Netwright: that request could not be answered.')
    }
  })
  // A malformed request line or header: answer 400 and close that connection only.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    const status =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? '431 Request Header Fields Too Large'
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? '408 Request Timeout'
          : '400 Bad Request'
    if (socket.writable && !socket.destroyed) socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`)
    else socket.destroy()
  })

  // Frames over the limit are refused by ws with close code 1009; protocol errors close with theirs.
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES })
  wss.on('error', () => {})
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy())
    try {
      const target = parseTarget(req.url)
      const origin = req.headers.origin
      const originOk = !origin || origin.replace(/^https?:\/\//, '') === req.headers.host
      if (
        !target ||
        target.path !== '/ws' ||
        !hostOk(req.headers.host) ||
        !originOk ||
        !authorized(req, target.query)
      ) {
        socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n')
        return
      }
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req))
    } catch {
      socket.destroy()
    }
  })

  wss.on('connection', (ws: WebSocket) => {
    // A protocol error (a bad frame, a bad close code, invalid UTF-8, a message over the limit) ends
    // this connection with its close code; ws has already sent it. Nothing else is affected.
    ws.on('error', () => {})
    const send = (msg: unknown) => {
      if (ws.readyState !== ws.OPEN) return
      let text: string
      try {
        text = JSON.stringify(msg)
      } catch {
        text = JSON.stringify({
          id: (msg as { id?: unknown }).id ?? null,
          error: {
            code: 'internal',
            message: 'The answer could not be sent (it could not be written as JSON).',
          },
        })
      }
      ws.send(text, (err) => {
        if (err) ws.terminate()
      })
    }
    const unsubscribe = opts.service.subscribe((event, payload) => send({ event, payload }))
    ws.on('close', unsubscribe)
    // A few calls at a time per connection (a download may take minutes, so not one), the rest
    // queued; a client that floods is told so, and cannot make others wait behind its backlog.
    let inFlight = 0
    const queue: [RawData, boolean][] = []
    const pump = () => {
      while (inFlight < MAX_IN_FLIGHT && queue.length) {
        const [data, isBinary] = queue.shift()!
        inFlight++
        void replyTo(opts.service, data, isBinary)
          .then(send)
          .catch(() => ws.terminate())
          .finally(() => {
            inFlight--
            pump()
          })
      }
    }
    ws.on('message', (data, isBinary) => {
      if (queue.length >= MAX_QUEUED) {
        send({
          id: null,
          error: {
            code: 'unavailable',
            message: 'Too many calls at once on this connection; wait for the answers first.',
          },
        })
        return
      }
      queue.push([data, isBinary])
      pump()
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
