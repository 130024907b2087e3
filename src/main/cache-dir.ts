import { homedir } from 'node:os'
import { join } from 'node:path'

/** Netwright's cache folder: $NETWRIGHT_CACHE, else the platform's (runs, the keras rung's probe). */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.NETWRIGHT_CACHE) return env.NETWRIGHT_CACHE
  const home = homedir()
  return process.platform === 'win32'
    ? join(env.LOCALAPPDATA ?? join(home, 'AppData', 'Local'), 'Netwright', 'Cache')
    : process.platform === 'darwin'
      ? join(home, 'Library', 'Caches', 'Netwright')
      : join(env.XDG_CACHE_HOME ?? join(home, '.cache'), 'netwright')
}
