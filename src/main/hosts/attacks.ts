// The attack run: raw HTTP requests and WebSocket frames, written byte by byte as an attacker (or
// any web page) would send them, against a running browser host. Shared by the server's unit test,
// the end-to-end attack spec and `npm run fuzz`. Each attack reports what the host answered; the
// callers check that the host still serves afterwards.
import { randomBytes } from 'node:crypto'
import { connect, type Socket } from 'node:net'

export interface Target {
  port: number
  token: string
  host?: string
}

export interface Outcome {
  /** The HTTP status line's code, or the WebSocket close code the host sent. */
  status?: number
  close?: number
  /** What the host wrote back, as text (first 2 KB). */
  reply: string
}

/** Sends raw bytes, collects what comes back until the host closes, `until` holds, or `ms` pass. */
export function raw(
  t: Target,
  bytes: Buffer | string,
  ms = 3000,
  then?: (s: Socket) => void,
  until?: (got: Buffer) => boolean,
): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    const s = connect(t.port, t.host ?? '127.0.0.1')
    const done = () => {
      clearTimeout(timer)
      s.destroy()
      resolve(Buffer.concat(chunks))
    }
    const timer = setTimeout(done, ms)
    s.on('data', (c) => {
      chunks.push(c)
      if (until?.(Buffer.concat(chunks))) done()
    })
    s.on('close', done)
    s.on('error', done)
    s.on('connect', () => {
      s.write(bytes)
      then?.(s)
    })
  })
}

const statusOf = (b: Buffer) => Number(/^HTTP\/1\.1 (\d{3})/.exec(b.toString('latin1'))?.[1]) || undefined

/** One HTTP request, written as given (no URL normalisation, unlike curl without --path-as-is). */
export async function httpRaw(
  t: Target,
  requestLine: string,
  headers: string[] = [],
  body = '',
): Promise<Outcome> {
  const head = [requestLine, `Host: 127.0.0.1:${t.port}`, 'Connection: close', ...headers].join('\r\n')
  const b = await raw(t, `${head}\r\n\r\n${body}`)
  return { status: statusOf(b), reply: b.toString('utf8').slice(0, 2048) }
}

/** A client frame: FIN + opcode, masked unless told otherwise, with optional RSV bits and length override. */
export function frame(
  opcode: number,
  payload: Buffer,
  o: { fin?: boolean; mask?: boolean; rsv?: number; declaredLength?: number } = {},
): Buffer {
  const fin = o.fin ?? true
  const mask = o.mask ?? true
  const len = o.declaredLength ?? payload.length
  const head: number[] = [(fin ? 0x80 : 0) | ((o.rsv ?? 0) << 4) | opcode]
  if (len < 126) head.push((mask ? 0x80 : 0) | len)
  else if (len < 65536) head.push((mask ? 0x80 : 0) | 126, len >> 8, len & 255)
  else {
    head.push((mask ? 0x80 : 0) | 127)
    const b = Buffer.alloc(8)
    b.writeBigUInt64BE(BigInt(len))
    head.push(...b)
  }
  if (!mask) return Buffer.concat([Buffer.from(head), payload])
  const key = randomBytes(4)
  const masked = Buffer.allocUnsafe(payload.length)
  for (let i = 0; i < payload.length; i++) masked[i] = payload[i]! ^ key[i & 3]!
  return Buffer.concat([Buffer.from(head), key, masked])
}

/** The frames the host sent after its upgrade answer: text replies and its close code. */
function hostFrames(b: Buffer): { close?: number; replies: string } {
  const text = b.toString('latin1')
  const end = text.indexOf('\r\n\r\n')
  const rest = end < 0 ? Buffer.alloc(0) : b.subarray(end + 4)
  let close: number | undefined
  let replies = ''
  for (let at = 0; at + 2 <= rest.length;) {
    const op = rest[at]! & 0x0f
    let len = rest[at + 1]! & 0x7f
    let off = at + 2
    if (len === 126) {
      if (off + 2 > rest.length) break
      len = rest.readUInt16BE(off)
      off += 2
    } else if (len === 127) {
      if (off + 8 > rest.length) break
      len = Number(rest.readBigUInt64BE(off))
      off += 8
    }
    if (off + len > rest.length) break
    const payload = rest.subarray(off, off + len)
    if (op === 8 && payload.length >= 2) close = payload.readUInt16BE(0)
    if (op === 1) replies += payload.toString('utf8') + '\n'
    at = off + len
  }
  return { close, replies }
}

/**
 * Opens a WebSocket by hand (token in the URL), sends `frames`, and reads until the host closes the
 * connection, a text reply arrives (when `reply` is set), or `ms` pass.
 */
export async function wsRaw(t: Target, frames: Buffer[], ms = 3000, reply = false): Promise<Outcome> {
  const key = randomBytes(16).toString('base64')
  const handshake = [
    `GET /ws?token=${t.token} HTTP/1.1`,
    `Host: 127.0.0.1:${t.port}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${key}`,
    'Sec-WebSocket-Version: 13',
    '',
    '',
  ].join('\r\n')
  const b = await raw(
    t,
    handshake,
    ms,
    (s) => {
      // Frames go once the upgrade is answered.
      s.once('data', () => {
        for (const f of frames) s.write(f)
      })
    },
    (got) => {
      const f = hostFrames(got)
      return f.close !== undefined || (reply && f.replies.length > 0)
    },
  )
  const { close, replies } = hostFrames(b)
  return { status: statusOf(b), close, reply: replies.slice(0, 2048) }
}

const text = (s: string | Buffer) => frame(1, Buffer.isBuffer(s) ? s : Buffer.from(s))

export interface Attack {
  name: string
  run(t: Target): Promise<Outcome>
  /** What the host must answer: an HTTP status, a WebSocket close code, or a reply that matches. */
  expect: { status?: number[]; close?: number[]; reply?: RegExp }
}

/** Every request and frame from the hostile-input report (issue 10), and more of their kind. */
export const ATTACKS: Attack[] = [
  { name: 'GET // (no token)', run: (t) => httpRaw(t, 'GET // HTTP/1.1'), expect: { status: [400] } },
  { name: 'GET //:99999', run: (t) => httpRaw(t, 'GET //:99999 HTTP/1.1'), expect: { status: [400] } },
  {
    name: 'GET //evil.example/x',
    run: (t) => httpRaw(t, 'GET //evil.example/x HTTP/1.1'),
    expect: { status: [400] },
  },
  {
    name: 'GET /% with the token',
    run: (t) => httpRaw(t, `GET /%?token=${t.token} HTTP/1.1`),
    expect: { status: [400] },
  },
  {
    name: 'GET /%E0%A4%A with the token cookie',
    run: (t) => httpRaw(t, 'GET /%E0%A4%A HTTP/1.1', [`Cookie: netwright_token=${t.token}`]),
    expect: { status: [400] },
  },
  {
    name: 'GET /%00',
    run: (t) => httpRaw(t, `GET /%00?token=${t.token} HTTP/1.1`),
    expect: { status: [400] },
  },
  {
    name: 'path traversal',
    run: (t) => httpRaw(t, `GET /..%2f..%2f..%2fetc%2fpasswd?token=${t.token} HTTP/1.1`),
    expect: { status: [404] },
  },
  {
    name: 'absolute-form target',
    run: (t) => httpRaw(t, 'GET http://127.0.0.1/ HTTP/1.1'),
    expect: { status: [400] },
  },
  { name: 'OPTIONS *', run: (t) => httpRaw(t, 'OPTIONS * HTTP/1.1'), expect: { status: [400] } },
  {
    name: 'POST with a body',
    run: (t) => httpRaw(t, `POST /?token=${t.token} HTTP/1.1`, ['Content-Length: 5'], 'hello'),
    expect: { status: [405] },
  },
  {
    name: 'garbage instead of a request',
    run: async (t) => {
      const b = await raw(t, Buffer.from([0, 1, 2, 255, 13, 10, 13, 10]))
      return { status: statusOf(b), reply: b.toString('latin1') }
    },
    expect: { status: [400] },
  },
  {
    name: 'a 64 KB header',
    run: (t) => httpRaw(t, 'GET / HTTP/1.1', [`X-Big: ${'a'.repeat(65536)}`]),
    expect: { status: [431] },
  },
  {
    name: 'upgrade to //',
    run: (t) =>
      httpRaw(t, 'GET // HTTP/1.1', [
        'Upgrade: websocket',
        'Connection: Upgrade',
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
        'Sec-WebSocket-Version: 13',
      ]),
    expect: { status: [401] },
  },
  {
    name: 'upgrade to /% with the token',
    run: (t) =>
      httpRaw(t, `GET /%?token=${t.token} HTTP/1.1`, [
        'Upgrade: websocket',
        'Connection: Upgrade',
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
        'Sec-WebSocket-Version: 13',
      ]),
    expect: { status: [401] },
  },
  {
    name: 'upgrade with a bad Sec-WebSocket-Version',
    run: (t) =>
      httpRaw(t, `GET /ws?token=${t.token} HTTP/1.1`, [
        'Upgrade: websocket',
        'Connection: Upgrade',
        'Sec-WebSocket-Key: x',
        'Sec-WebSocket-Version: 99',
      ]),
    expect: { status: [400, 426] },
  },
  // WebSocket protocol errors: the connection closes with its code; nothing else is affected.
  {
    name: 'a 33 MB message',
    run: (t) => wsRaw(t, [frame(1, Buffer.alloc(0), { declaredLength: 33 * 1024 * 1024 })]),
    expect: { close: [1009] },
  },
  {
    name: 'an unmasked frame',
    run: (t) => wsRaw(t, [frame(1, Buffer.from('{}'), { mask: false })]),
    expect: { close: [1002] },
  },
  {
    name: 'a reserved opcode',
    run: (t) => wsRaw(t, [frame(3, Buffer.from('x'))]),
    expect: { close: [1002] },
  },
  {
    name: 'RSV1 set',
    run: (t) => wsRaw(t, [frame(1, Buffer.from('{}'), { rsv: 4 })]),
    expect: { close: [1002] },
  },
  {
    name: 'RSV2 and RSV3 set',
    run: (t) => wsRaw(t, [frame(1, Buffer.from('{}'), { rsv: 3 })]),
    expect: { close: [1002] },
  },
  {
    name: 'invalid UTF-8',
    run: (t) => wsRaw(t, [text(Buffer.from([0xc3, 0x28, 0xff]))]),
    expect: { close: [1007] },
  },
  {
    name: 'a bad close code (999)',
    run: (t) => wsRaw(t, [frame(8, Buffer.from([0x03, 0xe7]))]),
    expect: { close: [1002] },
  },
  {
    name: 'a reserved close code (1005)',
    run: (t) => wsRaw(t, [frame(8, Buffer.from([0x03, 0xed]))]),
    expect: { close: [1002] },
  },
  {
    name: 'a one-byte close payload',
    run: (t) => wsRaw(t, [frame(8, Buffer.from([3]))]),
    expect: { close: [1002] },
  },
  {
    name: 'a fragmented ping',
    run: (t) => wsRaw(t, [frame(9, Buffer.from('x'), { fin: false })]),
    expect: { close: [1002] },
  },
  { name: 'a 200-byte ping', run: (t) => wsRaw(t, [frame(9, Buffer.alloc(200))]), expect: { close: [1002] } },
  {
    name: 'a continuation without a start',
    run: (t) => wsRaw(t, [frame(0, Buffer.from('x'))]),
    expect: { close: [1002] },
  },
  {
    name: 'a new message inside a fragmented one',
    run: (t) => wsRaw(t, [frame(1, Buffer.from('{'), { fin: false }), frame(1, Buffer.from('}'))]),
    expect: { close: [1002] },
  },
  {
    name: 'fragments adding up to 33 MB',
    run: (t) =>
      wsRaw(t, [
        frame(1, Buffer.alloc(20 * 1024 * 1024, 32), { fin: false }),
        frame(0, Buffer.alloc(0), { fin: false, declaredLength: 20 * 1024 * 1024 }),
      ]),
    expect: { close: [1009] },
  },
  // Messages that are valid frames but hostile content: each gets an answer, the connection stays.
  {
    name: 'a binary message',
    run: (t) => wsRaw(t, [frame(2, Buffer.from('{"id":1}'))], 3000, true),
    expect: { reply: /"code":"bad-request","message":"Messages must be JSON text, not binary\."/ },
  },
  {
    name: 'JSON nested 200,000 deep',
    run: (t) =>
      wsRaw(
        t,
        [
          text(
            `{"id":1,"method":"model.check","params":{"document":${'['.repeat(200000)}${']'.repeat(200000)}}}`,
          ),
        ],
        3000,
        true,
      ),
    expect: {
      reply:
        /"id":1,"error":\{"code":"bad-request","message":"The request for model\.check was refused: it is nested more than 64 levels deep\."/,
    },
  },
  {
    name: 'an id nested 100,000 deep',
    run: (t) =>
      wsRaw(
        t,
        [text(`{"id":${'['.repeat(100000)}${']'.repeat(100000)},"method":"system.info"}`)],
        3000,
        true,
      ),
    expect: { reply: /A message id must be a number or a short string/ },
  },
  {
    name: 'a JSON array instead of a message',
    run: (t) => wsRaw(t, [text('[1,2,3]')], 3000, true),
    expect: { reply: /A message must be a JSON object/ },
  },
  {
    name: 'a method named __proto__',
    run: (t) => wsRaw(t, [text('{"id":2,"method":"__proto__","params":{}}')], 3000, true),
    expect: { reply: /Unknown call \\"__proto__\\"/ },
  },
  {
    name: 'a 100,000-layer document',
    run: (t) => {
      const nodes = Array.from({ length: 100_000 }, (_, i) => ({
        id: `n${i}`,
        className: 'Dense',
        name: `n${i}`,
        params: {},
        position: { x: 0, y: i },
      }))
      const document = { format: 'netwright', version: 1, style: 'sequential', nodes, edges: [] }
      return wsRaw(
        t,
        [text(JSON.stringify({ id: 3, method: 'model.check', params: { document } }))],
        10_000,
        true,
      )
    },
    expect: { reply: /is too large: it has 100,000 layers/ },
  },
]

/** Whether the host still serves its UI: GET / with the token answers 200. */
export async function stillServing(t: Target): Promise<boolean> {
  return (await httpRaw(t, `GET /?token=${t.token} HTTP/1.1`)).status === 200
}
