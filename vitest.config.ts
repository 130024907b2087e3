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
    // Tests never read or write the user's own Keras cache (~/.keras): an empty one per run.
    env: {
      KERAS_HOME: mkdtempSync(join(tmpdir(), 'netwright-test-keras-')),
      NETWRIGHT_CACHE: mkdtempSync(join(tmpdir(), 'netwright-test-cache-')),
    },
  },
})
