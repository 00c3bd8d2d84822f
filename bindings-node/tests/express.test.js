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
