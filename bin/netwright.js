#!/usr/bin/env node
// The `netwright` command. It runs the TypeScript sources through tsx, so it works straight from a
// clone after `npm install`, with no build step.
import { register } from 'tsx/esm/api'

register()
const { main } = await import('../src/main/hosts/cli.ts')
process.exitCode = await main(process.argv.slice(2))
