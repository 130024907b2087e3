// The page the app's hidden trainer window loads. In Electron its preload (preload/trainer.ts) gives
// `window.netwrightTrainer`, a channel to the app's main process. Loaded in a plain browser tab, the
// page speaks over the window itself: messages in by window.postMessage from the page's own window
// (never from another frame or opener), messages out as `netwright-trainer` events on window.
import * as tf from '@tensorflow/tfjs'
import {
  serveWindowTrainer,
  type FromWindowTrainer,
  type WindowTransport,
} from '../../main/trainer/window-trainer'

declare global {
  interface Window {
    netwrightTrainer?: WindowTransport
  }
}

function pageTransport(): WindowTransport {
  return {
    send: (msg: FromWindowTrainer) =>
      window.dispatchEvent(new CustomEvent('netwright-trainer', { detail: msg })),
    onMessage: (listener) =>
      window.addEventListener('message', (e) => {
        if (e.source === window) listener(e.data)
      }),
  }
}

tf.env().set('PROD', true)
const transport = window.netwrightTrainer ?? pageTransport()
const state = document.getElementById('state')!
serveWindowTrainer(tf, {
  onMessage: (l) => transport.onMessage(l),
  send: (msg) => {
    if (msg.type === 'backend' || msg.type === 'done' || msg.type === 'error')
      state.textContent =
        msg.type === 'backend' ? `Training on ${msg.backend}` : msg.type === 'done' ? 'Done.' : msg.message
    transport.send(msg)
  },
})
state.textContent = 'Ready.'
