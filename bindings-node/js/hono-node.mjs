// Node's ESM entry of `hookseal/hono`: its CommonJS twin, so that Node holds one copy of
// hookseal's API (and `hasuraActionError` objects made through `hookseal` are recognised here).
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const m = require('./hono.cjs')

export const { hygraphSignature, sharedSecret, hasuraEvent, hasuraAction, hasuraAuth } = m
export default m
