'use strict'
// examples/node-vercel's Hasura routes end to end (the routes `make demo` drives): event run
// once with 409 + Retry-After, failing handler released, cron; Action errors in Hasura's shape;
// auth webhooks v2 and DDN, GET and POST, lifetime cut to the token's expiry, 401.
const test = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const { spawn } = require('node:child_process')

const ROOT = path.join(__dirname, '..', '..')
const EVENT = 'example-event-secret'
const ACTION = 'example-action-secret'

function start(t) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [path.join(ROOT, 'examples/node-vercel/server.js')], {
      env: { ...process.env, PORT: '0', HYGRAPH_WEBHOOK_SECRET: 'h', HASURA_ACTION_SECRET: ACTION, HASURA_EVENT_SECRET: EVENT },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let err = ''
    p.stderr.on('data', (d) => (err += d))
    p.stdout.on('data', (d) => {
      const m = /^listening (\d+)/m.exec(String(d))
      if (m) resolve({ url: `http://127.0.0.1:${m[1]}`, stderr: () => err })
    })
    p.on('exit', (code) => reject(new Error(`exited ${code}: ${err}`)))
    t.after(() => p.kill('SIGKILL'))
  })
}

async function call(url, { method = 'POST', body, headers = {} } = {}) {
  const r = await fetch(url, { method, body, headers })
  const text = await r.text()
  return { status: r.status, retryAfter: r.headers.get('retry-after'), json: text ? JSON.parse(text) : null }
}

const event = (id, row, retry = 0) =>
  JSON.stringify({
    id,
    created_at: '2026-12-02T00:00:00Z',
    trigger: { name: 'on_user' },
    table: { schema: 'public', name: 'users' },
    event: { op: 'INSERT', data: { old: null, new: row }, session_variables: null, trace_context: null },
    delivery_info: { current_retry: retry, max_retries: 1 },
  })

test('examples/node-vercel: /api/hasura/* routes', async (t) => {
  const { url, stderr } = await start(t)
  const ev = (body, secret = EVENT) => call(url + '/api/hasura/event', { body, headers: { 'x-event-secret': secret, 'content-type': 'application/json' } })

  // twice at once: one runs, the copy gets 409 + Retry-After; after it finished, a duplicate 200
  const body = event('e-1', { id: 1, hold_ms: 400 })
  const first = ev(body)
  await new Promise((r) => setTimeout(r, 150))
  const copy = await ev(body)
  assert.deepEqual([copy.status, copy.retryAfter, copy.json.extensions.code], [409, '10', 'replayed'])
  assert.deepEqual(await first, { status: 200, retryAfter: null, json: { ok: true, kind: 'event', id: 'e-1' } })
  assert.deepEqual((await ev(body)).json, { duplicate: true })
  // a failing handler is released, and its retry runs
  const failing = (retry) => event('e-2', { id: 2, fail_until_retry: 1 }, retry)
  const f = await ev(failing(0))
  assert.deepEqual([f.status, f.json.extensions.code], [500, 'handler_failed'])
  assert.equal((await ev(failing(1))).status, 200)
  // cron
  const cron = JSON.stringify({ id: 'c-1', name: 'nightly', scheduled_time: '2026-12-02T00:00:00Z', payload: {}, comment: null })
  assert.deepEqual((await ev(cron)).json, { ok: true, kind: 'scheduled', id: 'c-1' })
  assert.equal((await ev(cron, 'wrong')).status, 401)
  assert.equal((await ev('{"nope":1}')).json.extensions.code, 'malformed_payload')

  const act = (name) =>
    call(url + '/api/hasura/action', {
      body: JSON.stringify({ action: { name: 'greet' }, input: name === undefined ? {} : { name }, session_variables: { 'x-hasura-role': 'user' }, request_query: 'mutation' }),
      headers: { ACTION_SECRET: ACTION },
    })
  assert.deepEqual(await act('Ada'), { status: 200, retryAfter: null, json: { greeting: 'Hello, Ada!' } })
  assert.deepEqual((await act('')).json, { message: 'greet needs a name', extensions: { code: 'bad_input' } })
  assert.equal((await act(undefined)).status, 400)
  const boom = await act('boom')
  assert.deepEqual(boom, { status: 500, retryAfter: null, json: { message: 'the action handler failed', extensions: { code: 'handler_failed' } } })
  assert.ok(!JSON.stringify(boom.json).includes('greeting service'))

  const soon = Math.floor(Date.now() / 1000) + 20
  for (const [route, user, allowed] of [
    ['/api/hasura/auth', (b) => b['X-Hasura-User-Id'], { 'X-Hasura-Role': 'user', 'X-Hasura-User-Id': '42', 'Cache-Control': 'max-age=60' }],
    ['/api/hasura/auth-ddn', (b) => b['x-hasura-user-id'], { 'x-hasura-role': 'user', 'x-hasura-user-id': 42 }],
  ]) {
    const get = (token) => call(url + route, { method: 'GET', headers: token ? { authorization: `Bearer ${token}` } : {} })
    const post = (token) => call(url + route, { body: JSON.stringify({ headers: token ? { Authorization: `Bearer ${token}` } : {}, request: null }) })
    assert.deepEqual((await get('demo-token')).json, allowed, route)
    assert.deepEqual((await post('demo-token')).json, allowed, route)
    const cut = await get(`demo-token.${soon}`)
    assert.equal(user(cut.json), user(allowed))
    if (route.endsWith('auth')) assert.match(cut.json['Cache-Control'], /^max-age=(1\d|20)$/)
    for (const r of [await get(), await post('other'), await get('demo-token.x')]) {
      assert.deepEqual([r.status, r.json.extensions.code], [401, 'access_denied'], route)
    }
  }
  await new Promise((r) => setTimeout(r, 100))
  assert.match(stderr(), /the action handler failed; answered 500 handler_failed: Error: the greeting service is down/)
})
