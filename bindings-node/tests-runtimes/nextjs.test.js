'use strict'
// The real Next.js app (examples/nextjs-app-router), as `make test-runtimes` leaves it: hookseal
// installed from the npm tarballs of `make dist-npm` by `npm ci`, `next build` (Turbopack) run
// with HYGRAPH_WEBHOOK_SECRET and HASURA_ACTION_SECRET unset. Here `next start` serves it:
// - with the secrets: the routes on the Node.js runtime answer from the native engine, the same
//   routes on the Edge runtime (/edge/...) from the WebAssembly engine, with the same answers;
// - without them: every guarded route answers 500, on both runtimes, and the log names the variable.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { execFileSync } = require('node:child_process')
const { HYGRAPH, ACTION, serve, hygraphSignature, post, checkRoutes } = require('./helpers.js')

const APP = path.join(__dirname, '..', '..', 'examples', 'nextjs-app-router')
const NEXT = ['node', 'node_modules/next/dist/bin/next', 'start', '--hostname', '127.0.0.1', '--port', '{port}']
const VERSION = require('../package.json').version
const ENV = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' }
delete ENV.HOOKSEAL_BACKEND
delete ENV.HYGRAPH_WEBHOOK_SECRET
delete ENV.HASURA_ACTION_SECRET

test('the app was built by `next build`', () => {
  assert.ok(fs.existsSync(path.join(APP, '.next', 'BUILD_ID')), 'examples/nextjs-app-router/.next is missing: run `make test-runtimes`')
})

test('the lockfile pins no integrity for the local tarballs (npm ci would install a stale copy from its cache)', () => {
  const lock = JSON.parse(fs.readFileSync(path.join(APP, 'package-lock.json'), 'utf8'))
  const local = Object.entries(lock.packages).filter(([, v]) => String(v.resolved).startsWith('file:'))
  const platforms = ['linux-arm64-gnu', 'linux-x64-gnu', 'linux-x64-musl'].map((p) => `node_modules/hookseal-${p}`)
  assert.deepEqual(local.map(([k]) => k).sort(), ['node_modules/hookseal', ...platforms])
  for (const [k, v] of local) assert.equal(v.integrity, undefined, `${k}: drop its "integrity" from package-lock.json`)
})

test('node_modules holds the tarballs of this build, not a cached copy', () => {
  const dist = path.join(APP, '..', '..', 'dist', 'npm')
  for (const [pkg, file] of [['hookseal', 'hookseal.wasm'], ['hookseal-linux-x64-gnu', 'hookseal.linux-x64-gnu.node']]) {
    const tgz = `${pkg}-${VERSION}.tgz`
    const packed = execFileSync('tar', ['-xzOf', path.join(dist, tgz), `package/${file}`], { maxBuffer: 64 << 20 })
    assert.ok(packed.equals(fs.readFileSync(path.join(APP, 'node_modules', pkg, file))), `${pkg}/${file} differs from ${tgz}`)
  }
})

test('next start: Node.js routes on the native engine, Edge routes on WebAssembly', { timeout: 120_000 }, async (t) => {
  const server = await serve(t, NEXT, { cwd: APP, env: { ...ENV, HYGRAPH_WEBHOOK_SECRET: HYGRAPH, HASURA_ACTION_SECRET: ACTION } })
  await checkRoutes(assert, server.url, 'native')
  await checkRoutes(assert, `${server.url}/edge`, 'wasm')
})

// Every distinct body of the shared drop-in vectors (tests/vectors/hygraph.json: escapes, non-ASCII,
// HTML-escaped rich text, numbers, nesting), signed afresh for this server as the contract says
// (helpers.js computes the MAC with node:crypto, not with hookseal), through the Node.js route
// (native engine) and the Edge route (WebAssembly engine). On the Edge runtime a body under 1 KiB
// is MACed by the WebAssembly engine's own HMAC and one of 1 KiB or more by Web Crypto (the async
// wrapper's host HMAC), so each body is also sent padded past 1 KiB (trailing spaces: the same
// JSON): both HMAC routes see every body. A body altered after signing is refused on both.
test('next start: every shared vector body verifies on both runtimes and both Edge HMAC routes', { timeout: 300_000 }, async (t) => {
  const server = await serve(t, NEXT, { cwd: APP, env: { ...ENV, HYGRAPH_WEBHOOK_SECRET: HYGRAPH, HASURA_ACTION_SECRET: ACTION } })
  const vectors = JSON.parse(fs.readFileSync(path.join(APP, '..', '..', 'tests', 'vectors', 'hygraph.json'), 'utf8')).cases
  const bodies = new Set()
  for (const c of vectors) {
    const body = typeof c.rawPayload === 'string' && c.rawPayload !== '' ? c.rawPayload : c.body == null ? '' : JSON.stringify(c.body)
    // fetch sends a string as UTF-8 (a lone surrogate would become U+FFFD); the route parses JSON
    if (body === '' || !body.isWellFormed()) continue
    try {
      JSON.parse(body)
    } catch {
      continue
    }
    bodies.add(body)
    if (Buffer.byteLength(body) < 1024) bodies.add(body + ' '.repeat(1024))
  }
  assert.ok(bodies.size >= 100, `only ${bodies.size} bodies`)
  let sent = 0
  for (const base of ['', '/edge']) {
    for (const body of bodies) {
      const sig = hygraphSignature(body)
      const r = await post(`${server.url}${base}/api/hygraph`, body, { 'gcms-signature': sig })
      assert.equal(r.status, 200, `${base || '/'} ${JSON.stringify(body.slice(0, 80))}: ${r.text}`)
      assert.equal(r.json.backend, base ? 'wasm' : 'native')
      const altered = body.endsWith('}') ? body.slice(0, -1) + ' }' : body + ' '
      const bad = await post(`${server.url}${base}/api/hygraph`, altered, { 'gcms-signature': sig })
      assert.deepEqual([bad.status, bad.json?.extensions?.code], [401, 'signature_mismatch'], `${base} altered`)
      sent += 2
    }
  }
  t.diagnostic(`${bodies.size} bodies (with their padded twins), ${sent} requests`)
})

test('next start without the secrets: 500 on both runtimes, never an accepted request', { timeout: 120_000 }, async (t) => {
  const server = await serve(t, NEXT, { cwd: APP, env: ENV })
  const body = '{"operation":"publish"}'
  for (const base of ['', '/edge']) {
    const r = await post(`${server.url}${base}/api/hygraph`, body, { 'gcms-signature': hygraphSignature(body) })
    assert.equal(r.status, 500, `${base}/api/hygraph`)
    const a = await post(`${server.url}${base}/api/action`, '{}', { ACTION_SECRET: ACTION })
    assert.equal(a.status, 500, `${base}/api/action`)
  }
  assert.match(server.log(), /the environment variable HYGRAPH_WEBHOOK_SECRET is not set/)
  assert.match(server.log(), /the environment variable HASURA_ACTION_SECRET is not set/)
})
