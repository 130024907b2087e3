import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { shapesDoc } from '../../shared/testing'
import { browserService } from '../hosts/browser'
import { templatesDir } from '../hosts/paths'
import { forkLauncher } from '../trainer/launch'
import { workspaceFiles } from './files'
import { createService } from './index'

// The calls of service/models.ts that start from fresh weights, and the desktop host's files
// handed over by the OS (dialog.launched).
const workspace = mkdtempSync(join(tmpdir(), 'netwright-models-'))
const service = browserService(workspace)
afterAll(() => service.shutdown())

describe('the service', () => {
  it('shows the learning rate’s effect on the model: the loss at rising rates, where it falls fastest, where it blows up', async () => {
    const doc = shapesDoc()
    const sweep = await service.call('model.learningRates', { document: doc })
    expect(sweep.current).toBe(doc.compile.learningRate)
    expect(sweep.points.length).toBeGreaterThan(20)
    const lrs = sweep.points.map((p) => p.lr)
    expect(lrs[0]).toBeCloseTo(sweep.from, 12)
    for (let i = 1; i < lrs.length; i++) expect(lrs[i]!).toBeGreaterThan(lrs[i - 1]!)
    // At the smallest rates nothing is learnt yet; somewhere the loss falls well below its start.
    const first = sweep.points[0]!.smoothed
    expect(Math.min(...sweep.points.map((p) => p.smoothed))).toBeLessThan(first * 0.6)
    expect(sweep.suggestion).not.toBeNull()
    expect(sweep.suggestion!).toBeGreaterThan(1e-5)
    expect(sweep.suggestion!).toBeLessThan(0.5)
    // Adam at rates near 1 blows the loss up; the test stops there.
    expect(sweep.divergedAt).not.toBeNull()
    expect(sweep.points.at(-1)!.lr).toBe(sweep.divergedAt)
    await expect(service.call('model.learningRates', { document: { ...doc, nodes: [] } })).rejects.toThrow(
      /no layers|empty|Input/i,
    )
  })

  it('hands the files the OS asked to open to the page once each, and none where the host has no dialogs', async () => {
    expect(await service.call('dialog.launched', {})).toEqual({ paths: [] })
    let queue = ['/home/u/a.netwright.json', '/home/u/b.keras']
    const asked: string[] = []
    const desktop = createService({
      host: 'electron',
      launcher: forkLauncher(),
      files: workspaceFiles(workspace),
      templatesDir: templatesDir(),
      dialogs: {
        open: async () => null,
        save: async () => null,
        openData: async () => null,
        chooseFolder: async () => null,
        launched() {
          asked.push('launched')
          const q = queue
          queue = []
          return q
        },
      },
    })
    try {
      expect(await desktop.call('dialog.launched', {})).toEqual({
        paths: ['/home/u/a.netwright.json', '/home/u/b.keras'],
      })
      expect(await desktop.call('dialog.launched', {})).toEqual({ paths: [] })
      expect(asked).toHaveLength(2)
      await expect(desktop.dispatch('dialog.launched', { paths: ['/etc/passwd'] })).rejects.toThrow(
        /Bad request for dialog.launched/,
      )
    } finally {
      desktop.shutdown()
    }
  })
})
