import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { analyze } from '../shared/graph/analyze'
import { parseDocument } from '../shared/graph/load'
import { preflight } from '../shared/graph/preflight'
import { kerasSampleShape } from './datasets/keras'
import { checkOptions } from './datasets/options'
import { datasetInfos } from './datasets/registry'
import { templatesDir } from './hosts/paths'

describe('the templates', () => {
  const infos = datasetInfos('/nonexistent-keras-cache')
  it.each(readdirSync(templatesDir()).filter((f) => f.endsWith('.json')))(
    '%s passes the pre-flight checks on its own dataset',
    (file) => {
      const doc = parseDocument(readFileSync(join(templatesDir(), file), 'utf8'))
      const info = infos.find((d) => d.id === doc.dataset.id)!
      const options = checkOptions(info.id, info.options, doc.dataset.options)
      const sampleShape = info.source === 'keras' ? kerasSampleShape(info, options) : info.sampleShape
      const checks = preflight(doc, analyze(doc), {
        id: info.id,
        task: info.task,
        classes: info.classes,
        sampleShape,
      })
      expect(checks).toEqual([])
    },
  )
})
