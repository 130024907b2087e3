import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two test files at a time, also on 2 cores (vitest's default leaves one core free there): most
    // of the suite waits on the processes it starts (the CLI, trainers, Python), and the unit run
    // took 610 s one file at a time against 493 s two at a time.
    maxWorkers: 2,
    // Tests never read or write the user's own Keras cache (~/.keras): an empty one per run.
    env: {
      KERAS_HOME: mkdtempSync(join(tmpdir(), 'netwright-test-keras-')),
      NETWRIGHT_CACHE: mkdtempSync(join(tmpdir(), 'netwright-test-cache-')),
    },
  },
})
