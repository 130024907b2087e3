import base from './playwright.config'

// `npm run screenshots`: the README's pictures, taken by e2e/readme.shots.ts in the same browser host
// the e2e tests use (not part of `npm test`).
export default { ...base, testMatch: /\.shots\.ts$/ }
