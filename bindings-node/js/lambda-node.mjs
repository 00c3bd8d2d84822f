// Node's ESM entry of `hookseal/lambda`: its CommonJS twin, so that Node holds one copy of
// hookseal's API (and `hasuraActionError` objects made through `hookseal` are recognised here).
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const m = require('./lambda.cjs')

export const {
  withHygraphSignature,
  withSharedSecret,
  withHasuraEvent,
  withHasuraAction,
  withHasuraAuth,
  withLambda,
  lambdaRequest,
} = m
export default m
