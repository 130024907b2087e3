// `netwright summary`.
import { parseArgs } from 'node:util'
import { analyze } from '../../shared/graph/analyze'
import { formatSummary, summaryRows } from '../../shared/keras/summary'
import { loadDoc, problemsText } from './cli-doc'
/** `netwright summary <doc>…`: each file's Keras-style summary, or its problems; --json for machines. */
export async function summary(args: string[], usage: string): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { json: { type: 'boolean' } },
  })
  if (!positionals.length) await loadDoc(undefined, usage)
  // Each file in turn (a blank line between them); the exit status is 1 if any has problems.
  let status = 0
  for (const [i, file] of positionals.entries()) {
    if (i > 0 && !values.json) console.log('')
    status = Math.max(status, await summaryOf(file, !!values.json, usage))
  }
  return status
}

async function summaryOf(file: string, json: boolean, usage: string): Promise<number> {
  const doc = await loadDoc(file, usage)
  const a = analyze(doc)
  if (json) {
    console.log(
      JSON.stringify(
        {
          name: doc.name,
          style: doc.style,
          ok: a.ok,
          problems: a.problems,
          layers: summaryRows(doc, a),
          totalParams: a.totalParams,
          trainableParams: a.trainableParams,
          nonTrainableParams: a.nonTrainableParams,
        },
        null,
        2,
      ),
    )
    return a.ok ? 0 : 1
  }
  const problems = problemsText(doc)
  if (problems) {
    console.error(`${file}:\n${problems}`)
    return 1
  }
  console.log(formatSummary(doc, a))
  return 0
}
