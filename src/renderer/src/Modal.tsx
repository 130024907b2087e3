import * as Dialog from '@radix-ui/react-dialog'
import { useState, type ReactNode } from 'react'

/**
 * Every dialog of the app, on Radix's Dialog (focus kept inside while open and given back after,
 * Escape closes, the page behind inert, named by its title). A dialog with something the user is
 * filling in (`keepOnOutsideClick`) closes only by its buttons or Escape, so a stray click outside
 * loses nothing.
 */
export function Modal(props: {
  title: ReactNode
  className?: string
  onClose: () => void
  /** The buttons' row, at the bottom. */
  buttons: ReactNode
  keepOnOutsideClick?: boolean
  testId?: string
  children: ReactNode
}) {
  // Radix gives the focus back to its Trigger; these dialogs are opened by buttons elsewhere, so to
  // whatever had the focus when this one opened.
  const [opener] = useState(() => document.activeElement as HTMLElement | null)
  return (
    <Dialog.Root open onOpenChange={(open) => !open && props.onClose()}>
      <Dialog.Portal>
        <Dialog.Overlay className="modal-backdrop">
          <Dialog.Content
            className={props.className ? `modal ${props.className}` : 'modal'}
            aria-describedby={undefined}
            data-testid={props.testId}
            onPointerDownOutside={props.keepOnOutsideClick ? (e) => e.preventDefault() : undefined}
            onCloseAutoFocus={(e) => {
              e.preventDefault()
              if (opener?.isConnected) opener.focus()
            }}
          >
            <Dialog.Title>{props.title}</Dialog.Title>
            {props.children}
            <div className="modal-buttons">{props.buttons}</div>
          </Dialog.Content>
        </Dialog.Overlay>
      </Dialog.Portal>
    </Dialog.Root>
  )
}

/** The Close button most dialogs end with. */
export const CloseButton = ({ onClose }: { onClose: () => void }) => (
  <button className="primary" onClick={onClose} autoFocus>
    Close
  </button>
)
