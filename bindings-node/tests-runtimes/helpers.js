'use strict'
// Shared by the real-runtime tests: a server process on a free loopback port (its whole process
// group is killed afterwards), and Hygraph / Hasura requests signed independently of hookseal
// (node:crypto over the envelope the contract describes).
const net = require('node:net')
const { spawn } = require('node:child_process')
const { createHmac } = require('node:crypto')

const HYGRAPH = 'runtime-test-hygraph-secret'
const ACTION = 'runtime-test-action-secret'

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer()
    s.on('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
  })
}

/**
 * Starts `cmd` (with `{port}` replaced) in `cwd`; resolves `{ url, log }` once the port accepts
 * connections. `log()` is everything the process printed so far.
 */
async function serve(t, cmd, { cwd, env, timeoutMs = 60_000 }) {
  const port = await freePort()
  const [file, ...args] = cmd.map((a) => a.replace('{port}', String(port)))
  const p = spawn(file, args, { cwd, env: { ...env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  let out = ''
  p.stdout.on('data', (d) => (out += d))
  p.stderr.on('data', (d) => (out += d))
  let exited = null
  p.on('exit', (code, signal) => (exited = code ?? signal))
  t.after(() => {
    if (exited === null) {
      try {
        process.kill(-p.pid, 'SIGKILL')
      } catch {}
    }
  })
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (exited !== null) throw new Error(`${file} ${args.join(' ')} exited (${exited}) before listening:\n${out}`)
    const ok = await new Promise((resolve) => {
      const c = net.connect(port, '127.0.0.1', () => c.end(() => resolve(true)))
      c.on('error', () => resolve(false))
    })
    if (ok) return { url: `http://127.0.0.1:${port}`, log: () => out }
    if (Date.now() > deadline) throw new Error(`${file} did not listen on ${port} within ${timeoutMs} ms:\n${out}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** The gcms-signature header for `body`, computed as the contract says (not by hookseal). */
function hygraphSignature(body, secret = HYGRAPH, { env = 'master', t = Date.now() } = {}) {
  const envelope = JSON.stringify({ Body: body, EnvironmentName: env, TimeStamp: t })
  return `sign=${createHmac('sha256', secret).update(envelope).digest('base64')}, env=${env}, t=${t}`
}

async function post(url, body, headers = {}) {
  const r = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } })
  const text = await r.text()
  let json = null
  try {
    json = JSON.parse(text)
  } catch {}
  return { status: r.status, json, text }
}

/**
 * The Hygraph, Action and auth routes under `base` (`/api/hygraph`, `/api/action`, `/api/auth`),
 * as Hygraph and Hasura would call them. The Hygraph route answers with the engine that served it.
 */
async function checkRoutes(assert, base, backend) {
  const body = JSON.stringify({ operation: 'publish', data: { id: 'x', html: '<p>"é" & 東京</p>\u2028' } })
  const sig = hygraphSignature(body)
  let r = await post(`${base}/api/hygraph`, body, { 'gcms-signature': sig })
  assert.deepEqual([r.status, r.json], [200, { ok: true, environment: 'master', operation: 'publish', backend }], r.text)
  r = await post(`${base}/api/hygraph`, body, { 'gcms-signature': sig })
  assert.deepEqual([r.status, r.json], [200, { duplicate: true }], 'a replay of an accepted delivery')
  r = await post(`${base}/api/hygraph`, body.replace('publish', 'unpublish'), { 'gcms-signature': hygraphSignature(body) })
  assert.deepEqual([r.status, r.json?.extensions], [401, { code: 'signature_mismatch' }], 'a tampered body')
  r = await post(`${base}/api/hygraph`, body, { 'gcms-signature': hygraphSignature(body, HYGRAPH, { t: Date.now() - 3_600_000 }) })
  assert.deepEqual([r.status, r.json?.extensions], [401, { code: 'timestamp_too_old' }], 'an hour-old delivery')
  r = await post(`${base}/api/hygraph`, body)
  assert.deepEqual([r.status, r.json?.extensions], [401, { code: 'missing_signature' }])

  const action = JSON.stringify({ action: { name: 'greet' }, input: { name: 'Ada' }, session_variables: { 'x-hasura-role': 'user' } })
  r = await post(`${base}/api/action`, action, { ACTION_SECRET: ACTION })
  assert.deepEqual([r.status, r.json], [200, { greeting: 'Hello, Ada!' }])
  r = await post(`${base}/api/action`, action, { ACTION_SECRET: 'wrong' })
  assert.deepEqual([r.status, r.json?.extensions], [401, { code: 'secret_mismatch' }])
  r = await post(`${base}/api/action`, action)
  assert.deepEqual([r.status, r.json?.extensions], [401, { code: 'missing_secret' }])
  r = await post(`${base}/api/action`, '{"input":{}}', { ACTION_SECRET: ACTION })
  assert.deepEqual([r.status, r.json?.extensions], [400, { code: 'malformed_payload' }])

  r = await post(`${base}/api/auth`, '{}', { authorization: 'Bearer demo-token' })
  assert.deepEqual([r.status, r.json], [200, { 'X-Hasura-Role': 'user', 'X-Hasura-User-Id': '42', 'Cache-Control': 'max-age=60' }])
  assert.equal((await post(`${base}/api/auth`, '{}')).status, 401)
}

module.exports = { HYGRAPH, ACTION, serve, hygraphSignature, post, checkRoutes }
