import type { DragEvent, KeyboardEvent } from 'react'
import { CATEGORIES, LAYERS } from '../../../shared/layers'
import { LAYER_MIME } from '../editor/Canvas'
import { useDoc } from '../store/document'

const label = (className: string) => (className === 'InputLayer' ? 'Input' : className)

/** The layers a user can drag onto the canvas, grouped by category. Enter or double-click adds one. */
export function Palette() {
  const categories = CATEGORIES.filter((c) => LAYERS.some((l) => l.category === c))
  const addBelowLast = (className: string) => void useDoc.getState().appendLayer(className)
  return (
    <aside className="palette" aria-label="Layer palette">
      <h2>Layers</h2>
      {categories.map((cat) => (
        <section key={cat}>
          <h3>{cat}</h3>
          {LAYERS.filter((l) => l.category === cat).map((l) => (
            <div
              key={l.className}
              className="palette-item"
              role="button"
              tabIndex={0}
              draggable
              data-testid={`palette-${label(l.className)}`}
              title={l.doc}
              onDragStart={(e: DragEvent) => {
                e.dataTransfer.setData(LAYER_MIME, l.className)
                e.dataTransfer.effectAllowed = 'copy'
              }}
              onDoubleClick={() => addBelowLast(l.className)}
              onKeyDown={(e: KeyboardEvent) => {
                if (e.key === 'Enter' || e.key === ' ') {
                  e.preventDefault()
                  addBelowLast(l.className)
                }
              }}
            >
              <span className="palette-name">{label(l.className)}</span>
              <span className="palette-doc">{l.doc}</span>
            </div>
          ))}
        </section>
      ))}
    </aside>
  )
}
