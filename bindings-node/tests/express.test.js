'use strict'
// The (req, res) wrappers as Express route handlers, on Express 5 and Express 4 (the `express4`
// alias), each on a real listening server: every case of the shared vectors (Hygraph strict,
// shared secret, the three Hasura wrappers) with no body parser (the wrapper reads the stream)
// and behind `express.json({ verify: keepRawBody })`; then what happens behind a plain
// `express.json()` (the drop-in fallback and the one-time message naming keepRawBody), and
// Express 4's `req.body = {}` on a body it did not parse.
const test = require('node:test')
const assert = require('node:assert/strict')
const http = require('node:http')
const hs = require('..')
const { keepRawBody } = require('hookseal/express')
const { allCases, runCases, send, expressJsonAccepts } = require('./fw-helpers')

const EXPRESSES = { 'Express 5': require('express'), 'Express 4': require('express4') }

/** The route of one case: the main entry's wrapper, used as an Express handler. */
function route(fw, c) {
  const write = (res, out) => {
    res.status(out.status)
    if (out.json === undefined) res.end()
    else res.json(out.json)
  }
  switch (c.kind) {
    case 'hygraph':
      return hs.withHygraphSignature((req, res) => write(res, fw.act(c, c.record, req.hookseal)), c.options)
    case 'sharedSecret':
      return hs.withSharedSecret((req, res) => write(res, fw.act(c, c.record)), c.options)
    case 'hasuraEvent':
      return hs.withHasuraEvent((req, res) => write(res, fw.act(c, c.record, req.hasura)), c.options)
    case 'hasuraAction':
      // A returned value is the action's answer (200 JSON).
      return hs.withHasuraAction((req) => fw.act(c, c.record, req.hasura).value, c.options)
    case 'hasuraAuth':
      return hs.withHasuraAuth((auth) => fw.act(c, c.record, auth).resolved, c.options)
    default:
      throw new Error(c.kind)
  }
}

function listen(app) {
  return new Promise((resolve) => {
    const server = http.createServer(app)
    server.listen(0, '127.0.0.1', () => resolve(server))
  })
}

function mount(express, fw, cases, { json }) {
  const app = express()
  if (json) app.use(json)
  for (const c of cases) {
    if (c.kind === 'hasuraAuth') app.all(c.path, route(fw, c))
    else app.post(c.path, route(fw, c))
  }
  return app
}

for (const [label, express] of Object.entries(EXPRESSES)) {
  test(`${label}: every shared vector through the wrappers as route handlers, body read from the stream`, async (t) => {
    const { fw, cases } = await allCases(hs)
    const server = await listen(mount(express, fw, cases, {}))
    t.after(() => server.close())
    const ran = await runCases(t, assert, fw, cases, `http://127.0.0.1:${server.address().port}`)
    assert.ok(ran > 60, `ran ${ran} cases`)
  })

  test(`${label}: every shared vector behind express.json({ verify: keepRawBody })`, async (t) => {
    const { fw, cases } = await allCases(hs)
    const server = await listen(mount(express, fw, cases, { json: express.json({ verify: keepRawBody }) }))
    t.after(() => server.close())
    // express.json() answers a body that is not a JSON object or array itself (400, Express's
    // own error page) before any route runs: those cases check the status only.
    const refusedByParser = (c) =>
      c.request.method === 'POST' && c.request.body !== undefined && c.request.body !== '' && !expressJsonAccepts(c.request.body)
    const ran = await runCases(t, assert, fw, cases, `http://127.0.0.1:${server.address().port}`, {
      expectFor: (c) => (refusedByParser(c) ? { status: 400, handlerCalled: false } : null),
    })
    assert.ok(ran > 60, `ran ${ran} cases`)
  })

  test(`${label}: behind a plain express.json() the Hygraph check falls back to the parsed body, and says once what to add`, async (t) => {
    const secret = 'express-plain-json-secret'
    const app = express()
    app.use(express.json())
    app.post(
      '/hygraph',
      hs.withHygraphSignature((req, res) => res.json({ ok: true, environment: req.hookseal.environment }), { secret }),
    )
    const server = await listen(app)
    t.after(() => server.close())
    const base = `http://127.0.0.1:${server.address().port}`
    const warnings = []
    const warn = console.warn
    console.warn = (...a) => warnings.push(a.join(' '))
    t.after(() => {
      console.warn = warn
    })
    const headers = (body) => [
      ['content-type', 'application/json'],
      ['gcms-signature', hs.sign(body, { secret })],
    ]
    // JSON.stringify(req.body) is the body Hygraph signed: verified through the drop-in path.
    const canonical = JSON.stringify({ operation: 'publish', data: { id: 'ckx1', title: 'Grüße' } })
    let r = await send(base, '/hygraph', { headers: headers(canonical), body: canonical })
    assert.equal(r.status, 200, r.text)
    // The same JSON with other spacing: its bytes are gone, so it cannot be verified.
    const spaced = '{ "operation": "publish", "data": { "id": "ckx1", "title": "Grüße" } }'
    r = await send(base, '/hygraph', { headers: headers(spaced), body: spaced })
    assert.equal(r.status, 401)
    assert.equal(JSON.parse(r.text).extensions.code, 'signature_mismatch')
    const told = warnings.filter((w) => /keepRawBody/.test(w))
    assert.equal(told.length <= 1, true, `said once per process, not per request: ${told.length}`)
    // Said once per process: another suite of this file may have triggered it first.
    if (told.length === 1) assert.match(told[0], /express\.json\(\{ verify: keepRawBody \}\)/)
  })

  test(`${label}: keepRawBody keeps the exact bytes for Hygraph (other spacing, HTML-escaped rich text)`, async (t) => {
    const secret = 'express-keep-raw-secret'
    const app = express()
    app.use(express.json({ verify: keepRawBody }))
    let seen
    app.post(
      '/hygraph',
      hs.withHygraphSignature(
        (req, res) => {
          seen = { raw: Buffer.from(req.rawBody).toString('utf8'), body: req.body }
          res.json({ ok: true })
        },
        { secret },
      ),
    )
    const server = await listen(app)
    t.after(() => server.close())
    const base = `http://127.0.0.1:${server.address().port}`
    for (const body of [
      '{ "operation": "publish", "data": { "id": "ckx1" } }',
      '{"data":{"html":"\\u003cp\\u003eFish \\u0026 chips\\u003c/p\\u003e"},"n":1.0}',
    ]) {
      const r = await send(base, '/hygraph', { headers: [['content-type', 'application/json'], ['gcms-signature', hs.sign(body, { secret })]], body })
      assert.equal(r.status, 200, r.text)
      assert.equal(seen.raw, body)
      assert.deepEqual(seen.body, JSON.parse(body), 'req.body is still the parsed JSON for the route')
    }
  })
}

test('Express 4: express.json() sets req.body = {} on a body of another type and leaves the stream: the wrapper reads it', async (t) => {
  const express = EXPRESSES['Express 4']
  const secret = 'express4-other-type-secret'
  const app = express()
  app.use(express.json())
  app.post('/hygraph', hs.withHygraphSignature((req, res) => res.json({ ok: true }), { secret }))
  const server = await listen(app)
  t.after(() => server.close())
  const body = '{ "operation": "publish" }'
  const r = await send(`http://127.0.0.1:${server.address().port}`, '/hygraph', {
    headers: [['content-type', 'text/plain'], ['gcms-signature', hs.sign(body, { secret })]],
    body,
  })
  assert.equal(r.status, 200, r.text)
})

test('keepRawBody is the verify hook: it stores the buffer on req.rawBody and returns nothing', () => {
  const req = {}
  const buf = Buffer.from('{"a":1}')
  assert.equal(keepRawBody(req, {}, buf, 'utf-8'), undefined)
  assert.equal(req.rawBody, buf)
})

// ---------------------------------------------------------------- the example (examples/express)

const path = require('node:path')
const { spawn } = require('node:child_process')
const EXAMPLE = path.join(__dirname, '..', '..', 'examples', 'express')

function startExample(t, env) {
  const fs = require('node:fs')
  assert.ok(fs.existsSync(path.join(EXAMPLE, 'node_modules', 'express')), 'examples/express/node_modules is missing: `make express-app` installs it (npm ci)')
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['server.mjs'], { cwd: EXAMPLE, env: { ...process.env, PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let err = ''
    p.stderr.on('data', (d) => (err += d))
    p.stdout.on('data', (d) => {
      const m = /^listening (\d+)/m.exec(String(d))
      if (m) resolve(`http://127.0.0.1:${m[1]}`)
    })
    p.on('exit', (code) => reject(Object.assign(new Error(`exited ${code}: ${err}`), { stderr: err })))
    t.after(() => p.kill('SIGKILL'))
  })
}

test('examples/express (npm ci by make): Hygraph, Hasura Action, Event Trigger and auth routes', async (t) => {
  const secrets = { HYGRAPH_WEBHOOK_SECRET: 'ex-hygraph', HASURA_ACTION_SECRET: 'ex-action', HASURA_EVENT_SECRET: 'ex-event' }
  const base = await startExample(t, secrets)
  const json = (r) => [r.status, JSON.parse(r.text)]
  const ct = ['content-type', 'application/json']

  const body = '{ "operation": "publish", "data": { "html": "\\u003cp\\u003eFish \\u0026 chips\\u003c/p\\u003e" } }'
  const sig = hs.sign(body, { secret: secrets.HYGRAPH_WEBHOOK_SECRET })
  assert.deepEqual(json(await send(base, '/api/hygraph', { headers: [ct, ['gcms-signature', sig]], body })), [
    200,
    { ok: true, environment: 'master', operation: 'publish', backend: hs.backend },
  ])
  assert.deepEqual(json(await send(base, '/api/hygraph', { headers: [ct, ['gcms-signature', sig]], body })), [200, { duplicate: true }])
  const tampered = await send(base, '/api/hygraph', { headers: [ct, ['gcms-signature', sig]], body: body.replace('publish', 'delete') })
  assert.deepEqual([tampered.status, JSON.parse(tampered.text).extensions.code], [401, 'signature_mismatch'])

  const action = (input) => JSON.stringify({ action: { name: 'greet' }, input, session_variables: { 'x-hasura-role': 'user' }, request_query: 'q' })
  const call = (input, secret = secrets.HASURA_ACTION_SECRET) =>
    send(base, '/api/hasura/action', { headers: [ct, ['ACTION_SECRET', secret]], body: action(input) })
  assert.deepEqual(json(await call({ name: 'Ada' })), [200, { greeting: 'Hello, Ada!' }])
  assert.deepEqual(json(await call({ name: '' })), [400, { message: 'greet needs a name', extensions: { code: 'bad_input' } }])
  assert.deepEqual(json(await call({ name: 'boom' })), [500, { message: 'the action handler failed', extensions: { code: 'handler_failed' } }])
  assert.equal(JSON.parse((await call({ name: 'Ada' }, 'wrong')).text).extensions.code, 'secret_mismatch')

  const event = JSON.stringify({
    event: { session_variables: null, op: 'INSERT', data: { old: null, new: { id: 1 } }, trace_context: null },
    created_at: '2026-12-01T10:15:30.123456',
    id: 'e8c1b1a4-0000-4000-8000-000000000001',
    delivery_info: { max_retries: 0, current_retry: 0 },
    trigger: { name: 'user_created' },
    table: { schema: 'public', name: 'users' },
  })
  const deliver = () => send(base, '/api/hasura/event', { headers: [ct, ['X-Event-Secret', secrets.HASURA_EVENT_SECRET]], body: event })
  assert.deepEqual(json(await deliver()), [200, { ok: true, kind: 'event', id: 'e8c1b1a4-0000-4000-8000-000000000001' }])
  assert.deepEqual(json(await deliver()), [200, { duplicate: true }])

  const bearer = ['Authorization', 'Bearer demo-token']
  assert.deepEqual(json(await send(base, '/api/hasura/auth', { method: 'GET', headers: [bearer] })), [
    200,
    { 'X-Hasura-Role': 'user', 'X-Hasura-User-Id': '42', 'Cache-Control': 'max-age=60' },
  ])
  const post = JSON.stringify({ headers: { Authorization: 'Bearer demo-token' }, request: { query: '{ me { id } }' } })
  assert.deepEqual(json(await send(base, '/api/hasura/auth-ddn', { headers: [ct], body: post })), [200, { 'x-hasura-role': 'user', 'x-hasura-user-id': 42 }])
  assert.equal((await send(base, '/api/hasura/auth', { method: 'GET' })).status, 401)
  assert.equal((await send(base, '/api/auth', { headers: [bearer], body: '{}' })).status, 200)
})

test('examples/express refuses to start without its secrets', async (t) => {
  await assert.rejects(startExample(t, { HYGRAPH_WEBHOOK_SECRET: '', HASURA_ACTION_SECRET: 'a', HASURA_EVENT_SECRET: 'e' }), (e) => /TypeError/.test(e.stderr))
})
