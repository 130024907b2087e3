// tfjs in Node without what it prints by itself.
import type { Tf } from './backends'

/** Runs f with console.log and console.warn silenced. */
export async function muted<T>(f: () => Promise<T>): Promise<T> {
  const { warn, log } = console
  console.warn = console.log = () => {}
  try {
    return await f()
  } finally {
    console.warn = warn
    console.log = log
  }
}

/** Switches to the cpu backend, without the advertisement tfjs prints when it starts it in Node. */
export const useCpu = (tf: Tf): Promise<boolean> => muted(() => tf.setBackend('cpu'))

// Plain @tensorflow/tfjs prints an advertisement for tfjs-node when imported in Node; we report
// the backend ourselves, so keep the trainer's output to what we say.
// PROD also silences the notice the cpu backend prints on its first use.
export const quietTfjs = (): Promise<Tf> =>
  muted(async () => {
    const tf = await import('@tensorflow/tfjs')
    tf.env().set('PROD', true)
    return tf
  })
