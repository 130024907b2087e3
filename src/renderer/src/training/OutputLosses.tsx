import type { Analysis } from '../../../shared/graph/analyze'
import { LOSSES, type NetDocument } from '../../../shared/graph/schema'
import { NumberField, SelectField } from '../inspector/Field'

/** A model with several outputs: each output's loss and its weight in the total loss. */
export function OutputLosses({
  doc,
  analysis,
  setCompile,
}: {
  doc: NetDocument
  analysis: Analysis
  setCompile: (patch: Partial<NetDocument['compile']>) => void
}) {
  if (analysis.outputs.length < 2) return null
  return (
    <div className="outputs" data-testid="output-losses">
      <label>Each output&apos;s loss and weight</label>
      {analysis.outputs.map((id) => {
        const name = doc.nodes.find((n) => n.id === id)?.name ?? id
        const own = doc.compile.outputs?.[name]
        const setOutput = (patch: Partial<{ loss: (typeof LOSSES)[number]; weight: number }>) =>
          setCompile({
            outputs: {
              ...doc.compile.outputs,
              [name]: { loss: own?.loss ?? doc.compile.loss, weight: own?.weight ?? 1, ...patch },
            },
          })
        return (
          <div className="output-row" key={id}>
            <SelectField
              label={name}
              testId={`loss-${name}`}
              value={own?.loss ?? doc.compile.loss}
              options={LOSSES}
              onChange={(loss) => setOutput({ loss })}
            />
            <NumberField
              label="weight"
              testId={`weight-${name}`}
              value={own?.weight ?? 1}
              limits={{ min: 0, max: 1000 }}
              onCommit={(weight) => setOutput({ weight })}
            />
          </div>
        )
      })}
    </div>
  )
}
