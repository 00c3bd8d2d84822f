'use strict'
// The Cloudflare Worker example (examples/cloudflare-worker) under workerd, as `make
// test-runtimes` leaves it: hookseal installed from the dist/npm tarballs by `npm ci`, bundled by
// wrangler (`wrangler deploy --dry-run --outdir dist`), served by workerd itself (serve.mjs).
// workerd refuses to compile WebAssembly from bytes, so an answer at all proves the `workerd`
// export condition imported the .wasm as a module.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { HYGRAPH, ACTION, serve, hygraphSignature, post, checkRoutes } = require('./helpers.js')

const APP = path.join(__dirname, '..', '..', 'examples', 'cloudflare-worker')
const ENV = { ...process.env }
delete ENV.HYGRAPH_WEBHOOK_SECRET
delete ENV.HASURA_ACTION_SECRET

test('wrangler bundled the workerd entry, which imports the .wasm as a module', () => {
  const bundle = fs.readFileSync(path.join(APP, 'dist', 'index.js'), 'utf8')
  assert.match(bundle, /node_modules\/hookseal\/js\/engine-workerd\.mjs/)
  const wasm = fs.readdirSync(path.join(APP, 'dist')).filter((f) => f.endsWith('.wasm'))
  assert.equal(wasm.length, 1, `dist holds ${wasm}`)
  assert.match(bundle, new RegExp(`^import \\w+ from "\\./${wasm[0].replace('.', '\\.')}";$`, 'm'))
  assert.doesNotMatch(bundle, /engine-node|binding\.js|\.node"/)
})

test('workerd: the Worker verifies Hygraph and Hasura requests on the WebAssembly engine', { timeout: 60_000 }, async (t) => {
  const server = await serve(t, ['node', 'serve.mjs', '{port}'], { cwd: APP, env: { ...ENV, HYGRAPH_WEBHOOK_SECRET: HYGRAPH, HASURA_ACTION_SECRET: ACTION } })
  await checkRoutes(assert, server.url, 'wasm')
})

test('workerd without the secrets: 500, never an accepted request', { timeout: 60_000 }, async (t) => {
  const server = await serve(t, ['node', 'serve.mjs', '{port}'], { cwd: APP, env: ENV })
  const body = '{"operation":"publish"}'
  const r = await post(`${server.url}/api/hygraph`, body, { 'gcms-signature': hygraphSignature(body) })
  assert.equal(r.status, 500)
  await new Promise((resolve) => setTimeout(resolve, 200)) // let workerd's log line arrive
  assert.match(server.log(), /secret is missing/)
})
