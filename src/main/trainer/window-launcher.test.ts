// The app's trainer-window plumbing in Node: the real window trainer (window-trainer.ts, the code
// trainer.html runs) behind a structured-clone boundary like Electron's IPC, with no WebGPU or WebGL
// here, so it trains on its cpu rung. Chromium itself runs the page in e2e/trainer-window.spec.ts.
import * as tf from '@tensorflow/tfjs'
import { mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { workspaceFiles } from '../service/files'
import { createService } from '../service'
import { ended, small } from '../service/testing'
import { templatesDir } from '../hosts/paths'
import { forkLauncher } from './launch'
import { gpuFirstLauncher, windowLauncher, type TrainerWindow } from './window-launcher'
import { serveWindowTrainer, type FromWindowTrainer } from './window-trainer'

let opened = 0
/** A trainer window in this process: messages cross as Electron's IPC carries them, cloned. */
function memoryWindow(): TrainerWindow {
  opened++
  const toPage: ((m: unknown) => void)[] = []
  const toHost: ((m: FromWindowTrainer) => void)[] = []
  const gone: ((how: string) => void)[] = []
  let open = true
  serveWindowTrainer(tf, {
    send: (m) => open && toHost.forEach((l) => l(structuredClone(m))),
    onMessage: (l) => toPage.push(l),
  })
  return {
    send: (m) => toPage.forEach((l) => l(structuredClone(m))),
    onMessage: (l) => toHost.push(l),
    onGone: (l) => gone.push(l),
    close: () => {
      open = false
      gone.forEach((l) => l('closed'))
    },
  }
}

function serviceWith(launcher: ReturnType<typeof windowLauncher>) {
  const workspace = mkdtempSync(join(tmpdir(), 'netwright-window-'))
  const files = workspaceFiles(workspace)
  const service = createService({
    host: 'electron',
    launcher,
    files,
    templatesDir: templatesDir(),
    workspace: files.root,
    runsDir: join(workspace, '.runs'),
  })
  return { service, workspace }
}

async function trainRun(service: ReturnType<typeof serviceWith>['service'], backend?: 'webgl') {
  let id = ''
  const end = ended(service, () => id)
  id = (await service.call('training.start', { document: small(), backend })).runId
  return end
}

describe('the trainer window, through the service', () => {
  const { service, workspace } = serviceWith(windowLauncher(memoryWindow))
  afterAll(() => service.shutdown())

  it('trains, and the model it sends back is written where the run keeps its weights', async () => {
    const status = await trainRun(service)
    expect(status.state).toBe('done')
    expect(status.backend).toBe('cpu')
    expect(status.final!.val_accuracy).toBeGreaterThan(0)
    const r = await service.call('export.model', {
      document: small(),
      format: 'tfjs',
      folder: 'out',
      name: 'm',
      runId: status.runId,
    })
    expect(r.files).toHaveLength(2)
    expect(readdirSync(join(workspace, 'out')).sort()).toEqual(['m.json', 'm.weights.bin'])
  })
})

describe("the app's ladder across the trainer process and the window", () => {
  const { service } = serviceWith(gpuFirstLauncher(forkLauncher(), windowLauncher(memoryWindow)))
  afterAll(() => service.shutdown())

  it("reports every rung, the window's own for WebGPU and WebGL, and trains in the process without a GPU", async () => {
    const info = await service.call('system.info', {})
    expect(info.backends.map((b) => b.name)).toEqual([
      'tfjs-node-gpu',
      'webgpu',
      'webgl',
      'tfjs-node',
      'wasm',
      'cpu',
    ])
    expect(info.backends[1]!.detail).toBe('this window has no WebGPU (no navigator)')
    expect(info.backends[2]!.detail).toMatch(/this window has no WebGL2/)
    expect(info.chosenBackend).toBe('wasm')
    const before = opened
    const status = await trainRun(service)
    expect(status).toMatchObject({ state: 'done', backend: 'wasm' })
    expect(opened).toBe(before) // probed once; the run went to the process
  })

  it('sends a run forced onto webgl to the window, which says why it cannot', async () => {
    const status = await trainRun(service, 'webgl')
    expect(status.state).toBe('failed')
    expect(status.message).toContain('The webgl backend is not available here: this window has no WebGL2')
  })
})
