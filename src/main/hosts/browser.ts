import { createService, type Service } from '../service'
import { workspaceFiles } from '../service/files'
import { withKerasRung } from '../trainer/keras-launcher'
import { forkLauncher } from '../trainer/launch'
import { templatesDir } from './paths'

/** The service as the browser host runs it: trainer processes forked, projects in one workspace folder. */
export function browserService(workspace: string): Service {
  const files = workspaceFiles(workspace)
  return createService({
    host: 'browser',
    launcher: withKerasRung(forkLauncher()),
    files,
    templatesDir: templatesDir(),
    // The real path: files the service names are shown relative to it.
    workspace: files.root,
  })
}
