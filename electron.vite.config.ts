import react from '@vitejs/plugin-react'
import { defineConfig } from 'electron-vite'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { Plugin } from 'vite'

/** The keras rung's Python driver and its module, beside the main bundle (keras-launcher.ts finds it there). */
const kerasDriver = (): Plugin => ({
  name: 'netwright-keras-driver',
  generateBundle() {
    for (const fileName of ['keras_driver.py', 'keras_fit.py'])
      this.emitFile({ type: 'asset', fileName, source: readFileSync(resolve('src/main/trainer', fileName)) })
  },
})

// One config builds the three parts of the app. The renderer build is also what the browser host
// serves, so `npm start` works where Electron cannot run.
export default defineConfig({
  main: {
    plugins: [kerasDriver()],
    build: {
      externalizeDeps: true,
      rollupOptions: {
        input: {
          index: resolve('src/main/index.ts'),
          trainer: resolve('src/main/trainer/main.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      // Sandboxed preload scripts must be CommonJS.
      rollupOptions: {
        input: { index: resolve('src/preload/index.ts'), trainer: resolve('src/preload/trainer.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'src/renderer',
    base: './',
    plugins: [react()],
    build: {
      rollupOptions: {
        // The app, and the hidden window that trains on Chromium's WebGPU / WebGL2.
        input: { index: resolve('src/renderer/index.html'), trainer: resolve('src/renderer/trainer.html') },
      },
      chunkSizeWarningLimit: 2000,
    },
  },
})
