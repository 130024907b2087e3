import { useState, type ReactNode } from 'react'
import { Group, Panel, Separator, useDefaultLayout, usePanelRef } from 'react-resizable-panels'

// The workspace's panels (react-resizable-panels: drag a divider, or focus it and use the arrow keys;
// double-click a divider to collapse its panel or bring it back). Their sizes are remembered in
// localStorage, so the window opens as the user left it.

/** The training panel's bar (Train, Pause, Stop and the status line) stays when it is collapsed. */
export const TRAINING_BAR_PX = 44

function Divider({ label, onToggle }: { label: string; onToggle: () => void }) {
  return (
    <Separator className="divider" aria-label={label} title={`${label} (double-click to fold or unfold)`}>
      <div className="divider-hit" onDoubleClick={onToggle} />
    </Separator>
  )
}

export function Layout({
  palette,
  canvas,
  side,
  training,
}: {
  palette: ReactNode
  canvas: ReactNode
  side: ReactNode
  /** The training panel, given whether it is folded to its bar and how to fold or unfold it. */
  training: (fold: { folded: boolean; toggle: () => void }) => ReactNode
}) {
  const rows = useDefaultLayout({ id: 'netwright-rows', storage: localStorage })
  const columns = useDefaultLayout({ id: 'netwright-columns', storage: localStorage })
  const paletteRef = usePanelRef()
  const sideRef = usePanelRef()
  const trainingRef = usePanelRef()
  const [folded, setFolded] = useState(false)
  const toggle = (ref: ReturnType<typeof usePanelRef>) => () => {
    const p = ref.current
    if (p?.isCollapsed()) p.expand()
    else p?.collapse()
  }
  return (
    <Group
      orientation="vertical"
      className="layout"
      defaultLayout={rows.defaultLayout}
      onLayoutChanged={rows.onLayoutChanged}
    >
      <Panel id="editor-panel" minSize={200}>
        <Group
          orientation="horizontal"
          className="workspace"
          defaultLayout={columns.defaultLayout}
          onLayoutChanged={columns.onLayoutChanged}
        >
          <Panel
            id="palette-panel"
            panelRef={paletteRef}
            defaultSize={210}
            minSize={150}
            maxSize={360}
            collapsible
            groupResizeBehavior="preserve-pixel-size"
          >
            {palette}
          </Panel>
          <Divider label="Resize the palette" onToggle={toggle(paletteRef)} />
          <Panel id="canvas-panel" minSize={240}>
            {canvas}
          </Panel>
          <Divider label="Resize the inspector" onToggle={toggle(sideRef)} />
          <Panel
            id="side-panel"
            panelRef={sideRef}
            defaultSize={300}
            minSize={220}
            maxSize={560}
            collapsible
            groupResizeBehavior="preserve-pixel-size"
          >
            {side}
          </Panel>
        </Group>
      </Panel>
      <Divider label="Resize the training panel" onToggle={toggle(trainingRef)} />
      <Panel
        id="training-panel"
        panelRef={trainingRef}
        defaultSize={300}
        minSize={160}
        maxSize="75%"
        collapsible
        collapsedSize={TRAINING_BAR_PX}
        groupResizeBehavior="preserve-pixel-size"
        onResize={() => setFolded(trainingRef.current?.isCollapsed() ?? false)}
      >
        {training({ folded, toggle: toggle(trainingRef) })}
      </Panel>
    </Group>
  )
}
