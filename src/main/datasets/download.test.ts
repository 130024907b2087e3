import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DatasetUnavailableError, ensureFile, type DownloadProgress } from './download'

const body = Buffer.from(Array.from({ length: 300_000 }, (_, i) => i % 251))
const sha = createHash('sha256').update(body).digest('hex')
let server: Server
let base = ''

beforeAll(async () => {
  // A dataset host on loopback: /ok serves the file, /short cuts it off, /missing is a 404.
  server = createServer((req, res) => {
    if (req.url === '/ok') {
      res.writeHead(200, { 'content-length': body.length })
      res.end(body)
    } else if (req.url === '/short') {
      res.writeHead(200, { 'content-length': body.length, connection: 'close' })
      res.end(body.subarray(0, 1000))
      res.socket?.destroy()
    } else res.writeHead(404).end()
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((r) => server.close(() => r())))

const fresh = () => mkdtempSync(join(tmpdir(), 'netwright-cache-'))

describe('dataset download', () => {
  it('downloads with progress, verifies the hash, and renames only when complete', async () => {
    const dir = fresh()
    const seen: DownloadProgress[] = []
    const path = await ensureFile(
      dir,
      { path: 'sub/data.npz', origin: `${base}/ok`, sha256: sha },
      { onProgress: (p) => seen.push(p) },
    )
    expect(path).toBe(join(dir, 'sub/data.npz'))
    expect(readFileSync(path).equals(body)).toBe(true)
    expect(seen.at(-1)).toMatchObject({
      file: 'sub/data.npz',
      bytes: body.length,
      total: body.length,
      percent: 100,
    })
    expect(seen.at(-1)!.bytesPerSec).toBeGreaterThan(0)
    expect(readdirSync(join(dir, 'sub'))).toEqual(['data.npz'])
  })

  it('uses a cached file as it is; a corrupt one is moved aside, fetched again, and put back if none comes', async () => {
    const dir = fresh()
    writeFileSync(join(dir, 'data.npz'), body)
    const notes: string[] = []
    await ensureFile(
      dir,
      { path: 'data.npz', origin: `${base}/missing`, sha256: sha },
      { onNote: (n) => notes.push(n) },
    )
    expect(notes).toEqual([])
    writeFileSync(join(dir, 'data.npz'), 'tampered')
    await ensureFile(
      dir,
      { path: 'data.npz', origin: `${base}/ok`, sha256: sha },
      { onNote: (n) => notes.push(n) },
    )
    expect(notes[0]).toMatch(
      /data.npz is corrupt .*moved aside to .*data\.npz\.corrupt while a fresh copy is fetched/,
    )
    expect(readFileSync(join(dir, 'data.npz')).equals(body)).toBe(true)
    expect(readdirSync(dir)).toEqual(['data.npz'])
    // Offline (or the server fails): the user's file is back where it was, and the message says so.
    writeFileSync(join(dir, 'data.npz'), 'mine')
    const err = await ensureFile(dir, { path: 'data.npz', origin: `${base}/missing`, sha256: sha }).catch(
      (e: Error) => e,
    )
    expect(String(err)).toMatch(
      /data\.npz is corrupt .*a fresh copy could not be had.*Your file was put back as it was/,
    )
    expect(readFileSync(join(dir, 'data.npz'), 'utf8')).toBe('mine')
    expect(readdirSync(dir)).toEqual(['data.npz'])
  })

  it('leaves nothing behind when a download ends early or does not match the hash', async () => {
    const dir = fresh()
    await expect(ensureFile(dir, { path: 'a.npz', origin: `${base}/short` })).rejects.toThrow(
      /^Could not download a.npz from http:\/\/127.0.0.1:\d+\/short \(.+\)\. You can download it yourself/,
    )
    await expect(
      ensureFile(dir, { path: 'b.npz', origin: `${base}/ok`, sha256: '0'.repeat(64) }),
    ).rejects.toThrow(/does not match Keras's published sha256/)
    expect(readdirSync(dir)).toEqual([])
  })

  it('checks an md5 where Keras publishes one (the word indexes)', async () => {
    const dir = fresh()
    const md5 = createHash('md5').update(body).digest('hex')
    await ensureFile(dir, { path: 'words.json', origin: `${base}/ok`, md5 })
    expect(readFileSync(join(dir, 'words.json')).equals(body)).toBe(true)
    await expect(
      ensureFile(dir, { path: 'other.json', origin: `${base}/ok`, md5: '0'.repeat(32) }),
    ).rejects.toThrow(/does not match Keras's published md5/)
    expect(readdirSync(dir)).toEqual(['words.json'])
  })

  it('says where the file comes from and where to put it when it cannot be had', async () => {
    const dir = fresh()
    // A port nobody listens on: take one, then close it.
    const closed = createServer()
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r))
    const port = (closed.address() as AddressInfo).port
    await new Promise<void>((r) => closed.close(() => r()))
    const origin = `http://127.0.0.1:${port}/mnist.npz`
    const err = await ensureFile(dir, { path: 'mnist.npz', origin }).catch((e) => e)
    expect(err).toBeInstanceOf(DatasetUnavailableError)
    expect(err.message).toBe(
      `Could not download mnist.npz from ${origin} (the server refused the connection: ECONNREFUSED). You can download it yourself from ${origin} and place it at ${join(dir, 'mnist.npz')}.`,
    )
    expect(existsSync(join(dir, 'mnist.npz'))).toBe(false)
  })

  it('says "no internet connection" where the server cannot even be looked up', async () => {
    // .invalid never resolves (RFC 2606): what a machine without a network meets.
    const err = await ensureFile(fresh(), {
      path: 'x.npz',
      origin: 'http://netwright-test.invalid/x.npz',
    }).catch((e) => e)
    expect(err).toBeInstanceOf(DatasetUnavailableError)
    expect(err.message).toMatch(/\(no internet connection[^)]*: (ENOTFOUND|EAI_AGAIN)\)/)
  })
})
