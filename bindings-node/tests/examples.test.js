'use strict'
// The Vercel example server (examples/node-vercel) end to end. The Next.js app runs under the
// real `next build` / `next start` in tests-runtimes/nextjs.test.js.
const test = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const { spawn } = require('node:child_process')
const hs = require('..')

const ROOT = path.join(__dirname, '..', '..')
const HYGRAPH = 'example-hygraph-secret'
const ACTION = 'example-action-secret'

function start(t, script, extraEnv = {}) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [path.join(ROOT, script)], {
      env: { ...process.env, PORT: '0', HYGRAPH_WEBHOOK_SECRET: HYGRAPH, HASURA_ACTION_SECRET: ACTION, HASURA_EVENT_SECRET: 'example-event-secret', ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let err = ''
    p.stderr.on('data', (d) => (err += d))
    p.stdout.on('data', (d) => {
      const m = /^listening (\d+)/m.exec(String(d))
      if (m) resolve(`http://127.0.0.1:${m[1]}`)
    })
    p.on('exit', (code) => reject(Object.assign(new Error(`exited ${code}: ${err}`), { code, stderr: err })))
    t.after(() => p.kill('SIGKILL'))
  })
}

async function call(url, body, headers = {}) {
  const r = await fetch(url, { method: 'POST', body, headers })
  return { status: r.status, json: await r.json() }
}

for (const script of ['examples/node-vercel/server.js']) {
  test(`${script}: hygraph, action and auth routes`, async (t) => {
    const u = await start(t, script)
    const body = JSON.stringify({ operation: 'publish', data: { id: 'x', html: '<p>"é" & 東京</p>' } })
    const sig = hs.sign(body, { secret: HYGRAPH })
    let r = await call(u + '/api/hygraph', body, { 'gcms-signature': sig, 'content-type': 'application/json' })
    assert.equal(r.status, 200)
    assert.equal(r.json.ok, true)
    assert.equal(r.json.environment, 'master')
    assert.deepEqual(await call(u + '/api/hygraph', body, { 'gcms-signature': sig }), { status: 200, json: { duplicate: true } })
    r = await call(u + '/api/hygraph', body, { 'gcms-signature': hs.sign(body, { secret: 'other' }) })
    assert.equal(r.status, 401)
    assert.equal(r.json.extensions.code, 'signature_mismatch')

    const action = JSON.stringify({ action: { name: 'greet' }, input: { name: 'Ada' }, session_variables: { 'x-hasura-role': 'user' } })
    assert.deepEqual(await call(u + '/api/action', action, { ACTION_SECRET: ACTION }), { status: 200, json: { greeting: 'Hello, Ada!' } })
    r = await call(u + '/api/action', action, { ACTION_SECRET: 'wrong' })
    assert.equal(r.status, 401)
    assert.equal(r.json.extensions.code, 'secret_mismatch')
    assert.equal((await call(u + '/api/action', action)).json.extensions.code, 'missing_secret')

    r = await call(u + '/api/auth', '{}', { authorization: 'Bearer demo-token' })
    assert.deepEqual(r, { status: 200, json: { 'X-Hasura-Role': 'user', 'X-Hasura-User-Id': '42', 'Cache-Control': 'max-age=60' } })
    assert.equal((await call(u + '/api/auth', '{}')).status, 401)
  })

  test(`${script}: refuses to start without its secrets`, async (t) => {
    await assert.rejects(start(t, script, { HYGRAPH_WEBHOOK_SECRET: '' }), (e) => /TypeError/.test(e.stderr))
  })
}
