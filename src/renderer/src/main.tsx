import '@xyflow/react/dist/style.css'
import './styles/base.css'
import './styles/layout.css'
import './styles/canvas.css'
import './styles/training.css'
import './styles/results.css'
import { StrictMode, useState } from 'react'
import { createRoot } from 'react-dom/client'
import type { NetwrightApi } from '../../shared/ipc/contract'
import { connectWebSocket } from './api'
import { App } from './App'

let setConnected: (v: boolean) => void = () => {}
let connectedNow = true
const api: NetwrightApi =
  window.netwright ??
  connectWebSocket((c) => {
    connectedNow = c
    setConnected(c)
  })

// The token in the URL has done its work (the server set a cookie); keep it out of history and screenshots.
if (new URLSearchParams(location.search).has('token')) history.replaceState(null, '', location.pathname)

function Root() {
  const [connected, set] = useState(connectedNow)
  setConnected = set
  return <App api={api} connected={connected} />
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Root />
  </StrictMode>,
)
