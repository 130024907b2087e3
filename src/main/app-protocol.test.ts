import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { appFile, appRequestPath, appUrl, isAppPage } from './app-protocol'

const base = mkdtempSync(join(tmpdir(), 'netwright-protocol-'))
const root = join(base, 'renderer')
mkdirSync(join(root, 'assets'), { recursive: true })
writeFileSync(join(root, 'index.html'), '<!doctype html>')
writeFileSync(join(root, 'trainer.html'), '<!doctype html>')
writeFileSync(join(root, 'assets', 'index-abc.js'), 'export {}')
writeFileSync(join(root, 'assets', 'tfjs-backend-wasm.wasm'), Buffer.from([0, 97, 115, 109]))
writeFileSync(join(root, 'assets', 'a b.css'), 'body{}')
// Beside the renderer, as the app's main bundle and the user's files are.
writeFileSync(join(base, 'secret.txt'), 'not for the page')
mkdirSync(join(base, 'renderer-old'))
writeFileSync(join(base, 'renderer-old', 'index.html'), 'old')
symlinkSync(join(base, 'secret.txt'), join(root, 'assets', 'link.txt'))
symlinkSync(base, join(root, 'up'))
afterAll(() => rmSync(base, { recursive: true, force: true }))

describe('the app protocol (netwright://app/)', () => {
  it('serves the renderer’s pages and assets with their types', async () => {
    expect(appUrl('index.html')).toBe('netwright://app/index.html')
    expect(await appFile('netwright://app/index.html', root)).toEqual({
      path: join(root, 'index.html'),
      type: 'text/html; charset=utf-8',
    })
    expect((await appFile('netwright://app/', root))?.path).toBe(join(root, 'index.html'))
    expect((await appFile('netwright://app/trainer.html?x=1#y', root))?.path).toBe(join(root, 'trainer.html'))
    expect((await appFile('netwright://app/assets/index-abc.js', root))?.type).toBe(
      'text/javascript; charset=utf-8',
    )
    // WebAssembly must be served as such to be compiled while it streams.
    expect((await appFile('netwright://app/assets/tfjs-backend-wasm.wasm', root))?.type).toBe(
      'application/wasm',
    )
    expect((await appFile('netwright://app/assets/a%20b.css', root))?.path).toBe(
      join(root, 'assets', 'a b.css'),
    )
  })

  it('serves nothing outside the built renderer, however the path is spelled', async () => {
    const outside = [
      'netwright://app/../secret.txt',
      'netwright://app/%2e%2e/secret.txt',
      'netwright://app/assets/%2E%2E/%2E%2E/secret.txt',
      'netwright://app/..%2fsecret.txt',
      'netwright://app/..%5csecret.txt',
      'netwright://app/assets%5c..%5c..%5csecret.txt',
      'netwright://app/%2e%2e%2frenderer-old/index.html',
      'netwright://app/C:/Windows/win.ini',
      'netwright://app/index.html%00.png',
      'netwright://app/%E0%A4%A',
      'netwright://app//etc/passwd',
      'netwright://app/assets/link.txt',
      'netwright://app/up/secret.txt',
      'netwright://app/assets',
      'netwright://app/missing.js',
      'netwright://other/index.html',
      'netwright://app:8080/index.html',
      'netwright://user@app/index.html',
      'file:///etc/passwd',
      'https://app/index.html',
      'not a url',
    ]
    for (const url of outside) expect(await appFile(url, root), url).toBeNull()
    // A URL's own dot segments are resolved as a browser does, never above the root; encoded
    // separators are refused.
    expect(appRequestPath('netwright://app/%2e%2e/secret.txt', root)).toBe(join(root, 'secret.txt'))
    expect(appRequestPath('netwright://app/..%2fsecret.txt', root)).toBeNull()
    expect(appRequestPath('netwright://app/assets/x.js', root)).toBe(join(root, 'assets', 'x.js'))
  })

  it('tells the app’s own pages from any other', () => {
    expect(isAppPage('netwright://app/index.html')).toBe(true)
    expect(isAppPage('netwright://app.evil.example/index.html')).toBe(false)
    expect(isAppPage('netwright://evil/index.html')).toBe(false)
    expect(isAppPage('file:///tmp/index.html')).toBe(false)
    expect(isAppPage('https://example.com/')).toBe(false)
    expect(isAppPage('')).toBe(false)
    // In development the page comes from electron-vite's server.
    expect(isAppPage('http://localhost:5173/index.html', 'http://localhost:5173')).toBe(true)
    expect(isAppPage('http://localhost:5174/index.html', 'http://localhost:5173')).toBe(false)
    expect(isAppPage('netwright://app/index.html', 'http://localhost:5173')).toBe(false)
  })
})
