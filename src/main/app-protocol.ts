// The app's own scheme, netwright://app/…, which serves the built renderer to the Electron windows
// instead of file://. A real origin lets the CSP's 'self' and the IPC sender check mean something,
// and a file:// page could read any file the user can. No electron import here: index.ts hands
// Electron's protocol.handle the function below, and the tests call it directly.
import { realpath, stat } from 'node:fs/promises'
import { extname, isAbsolute, relative, resolve, sep } from 'node:path'

export const APP_SCHEME = 'netwright'
export const APP_HOST = 'app'
/** The URL of one of the renderer's pages. */
export const appUrl = (page: string): string => `${APP_SCHEME}://${APP_HOST}/${page}`

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
}

/** Whether a page's URL is one of the app's own pages (the dev server's, when given). */
export function isAppPage(url: string, devServerUrl?: string): boolean {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return false
  }
  if (devServerUrl) {
    try {
      return u.origin === new URL(devServerUrl).origin
    } catch {
      return false
    }
  }
  // A custom scheme has an opaque origin in Node's URL, so the parts are compared.
  return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST && !u.username && !u.password
}

/**
 * The path under `root` that a request's URL names, or null when it names nothing there: another
 * scheme or host, `..` or `.` segments (plain or percent-encoded), backslashes, drive letters, NUL.
 * Only the URL is looked at; `appFile` also checks the disk.
 */
export function appRequestPath(url: string, root: string): string | null {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return null
  }
  if (!isAppPage(url) || u.port) return null
  let path: string
  try {
    path = decodeURIComponent(u.pathname)
  } catch {
    return null
  }
  if (/[\0\\]/.test(path)) return null
  const segments = path.split('/').filter((s) => s !== '')
  if (segments.some((s) => s === '.' || s === '..' || s.includes(':'))) return null
  const full = resolve(root, ...(segments.length ? segments : ['index.html']))
  const rel = relative(resolve(root), full)
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return null
  return full
}

/**
 * The file a request is answered with, and its content type, or null (answered 404): besides
 * `appRequestPath`'s rules, the file must exist, be a regular file, and stay under `root` once
 * symbolic links are followed.
 */
export async function appFile(url: string, root: string): Promise<{ path: string; type: string } | null> {
  const path = appRequestPath(url, root)
  if (!path) return null
  try {
    const [real, realRoot] = await Promise.all([realpath(path), realpath(root)])
    if (!real.startsWith(realRoot + sep)) return null
    if (!(await stat(real)).isFile()) return null
    return { path: real, type: TYPES[extname(real).toLowerCase()] ?? 'application/octet-stream' }
  } catch {
    return null
  }
}
