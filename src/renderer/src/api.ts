import type {
  EventName,
  Events,
  Method,
  NetwrightApi,
  Request,
  Responses,
  WireError,
} from '../../shared/ipc/contract'

declare global {
  interface Window {
    /** Set by the Electron preload; absent in the browser host. */
    netwright?: NetwrightApi
  }
}

/** An error from the service, with the message meant for the user. */
export class ApiError extends Error {
  constructor(
    readonly code: WireError['code'],
    message: string,
  ) {
    super(message)
  }
}

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void }

/**
 * The browser host's transport: the same contract over a WebSocket. Calls are matched to answers
 * by id; events are pushed by the server.
 */
export function connectWebSocket(onConnection: (connected: boolean) => void): NetwrightApi {
  const pending = new Map<number, Pending>()
  const listeners = new Map<string, Set<(p: unknown) => void>>()
  let nextId = 1
  let socket: WebSocket
  let ready: Promise<void>

  const open = (): void => {
    const proto = location.protocol === 'https:' ? 'wss' : 'ws'
    socket = new WebSocket(`${proto}://${location.host}/ws`)
    ready = new Promise((resolve, reject) => {
      socket.addEventListener('open', () => {
        onConnection(true)
        resolve()
      })
      socket.addEventListener('error', () =>
        reject(new ApiError('unavailable', 'Cannot reach the Netwright server.')),
      )
    })
    ready.catch(() => {})
    socket.addEventListener('message', (ev) => {
      const msg = JSON.parse(String(ev.data)) as {
        id?: number
        result?: unknown
        error?: WireError
        event?: string
        payload?: unknown
      }
      if (msg.event) {
        for (const l of listeners.get(msg.event) ?? []) l(msg.payload)
        return
      }
      const p = pending.get(msg.id ?? -1)
      if (!p) return
      pending.delete(msg.id!)
      if (msg.error) p.reject(new ApiError(msg.error.code, msg.error.message))
      else p.resolve(msg.result)
    })
    socket.addEventListener('close', () => {
      onConnection(false)
      for (const p of pending.values())
        p.reject(
          new ApiError(
            'unavailable',
            'The connection to the Netwright server was lost. Is it still running?',
          ),
        )
      pending.clear()
      setTimeout(open, 2000)
    })
  }
  open()

  return {
    async invoke<M extends Method>(method: M, request: Request<M>): Promise<Responses[M]> {
      await ready
      const id = nextId++
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject })
        socket.send(JSON.stringify({ id, method, params: request }))
      })
    },
    on<E extends EventName>(event: E, listener: (payload: Events[E]) => void) {
      const set = listeners.get(event) ?? new Set()
      listeners.set(event, set)
      set.add(listener as (p: unknown) => void)
      return () => set.delete(listener as (p: unknown) => void)
    },
  }
}

export const errorMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e))
