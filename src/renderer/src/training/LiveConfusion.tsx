import type { Run } from '../store/training'

/** The validation rows' confusion matrix at the last epoch's end, beside the curves while a run trains. */
export function LiveConfusion({ run, classes }: { run: Run | undefined; classes: string[] }) {
  const c = run?.confusion
  if (!c) return null
  const names = c.matrix.map((_, i) => classes[i] ?? String(i))
  const total = c.matrix.flat().reduce((a, b) => a + b, 0)
  const right = c.matrix.reduce((a, row, i) => a + row[i]!, 0)
  return (
    <figure className="live-confusion" data-testid="live-confusion" data-epoch={c.epoch}>
      <figcaption>
        Validation, epoch {c.epoch}: {right.toLocaleString('en-US')} of {total.toLocaleString('en-US')} right
      </figcaption>
      <table className="confusion small" aria-label="Validation confusion matrix">
        <thead>
          <tr>
            <th className="corner">true ↓</th>
            {names.map((n) => (
              <th key={n} title={n}>
                {n}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {c.matrix.map((row, t) => {
            const sum = row.reduce((a, b) => a + b, 0) || 1
            return (
              <tr key={t}>
                <th scope="row" title={names[t]}>
                  {names[t]}
                </th>
                {row.map((v, p) => (
                  <td
                    key={p}
                    className={t === p ? 'hit' : 'miss'}
                    style={{ '--share': v / sum } as React.CSSProperties}
                  >
                    {v}
                  </td>
                ))}
              </tr>
            )
          })}
        </tbody>
      </table>
    </figure>
  )
}
