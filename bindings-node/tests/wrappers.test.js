'use strict'
// Framework wrappers against a real http.createServer on 127.0.0.1 and against Fetch Request/Response.
const test = require('node:test')
const assert = require('node:assert/strict')
const http = require('node:http')
const hs = require('..')
const { assertNoLeak } = require('./helpers')

const SECRET = 'wrapper-test-secret-0123456789'
const BODY = JSON.stringify({ operation: 'update', data: { title: 'A "quoted" <b>rich</b> text é' } })

function listen(handler) {
  return new Promise((resolve) => {
    const server = http.createServer(handler)
    server.listen(0, '127.0.0.1', () => resolve(server))
  })
}

async function post(server, path, body, headers = {}) {
  const { port } = server.address()
  const r = await fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', body, headers })
  return { status: r.status, text: await r.text() }
}

test('withHygraphSignature (req, res): raw body read from the stream, 401 in Hasura shape on failure', async (t) => {
  let calls = 0
  const handler = hs.withHygraphSignature(
    (req, res) => {
      calls++
      assert.equal(req.rawBody.toString(), BODY)
      assert.deepEqual(req.body, JSON.parse(BODY))
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({ ok: true, environment: req.hookseal.environment, secretIndex: req.hookseal.secretIndex }))
    },
    { secret: ['old-secret', SECRET] },
  )
  const server = await listen(handler)
  t.after(() => server.close())

  const sig = hs.sign(BODY, { secret: SECRET, environment: 'staging' })
  const ok = await post(server, '/', BODY, { 'gcms-signature': sig, 'content-type': 'application/json' })
  assert.equal(ok.status, 200)
  assert.deepEqual(JSON.parse(ok.text), { ok: true, environment: 'staging', secretIndex: 1 })

  const bad = await post(server, '/', BODY + ' ', { 'gcms-signature': sig })
  assert.equal(bad.status, 401)
  const j = JSON.parse(bad.text)
  assert.equal(j.extensions.code, 'signature_mismatch')
  assert.equal(typeof j.message, 'string')
  assertNoLeak(assert, bad.text, SECRET, sig.slice(5, 49), BODY)

  const missing = await post(server, '/', BODY)
  assert.equal(missing.status, 401)
  assert.equal(JSON.parse(missing.text).extensions.code, 'missing_signature')

  const old = hs.sign(BODY, { secret: SECRET, timestamp: Date.now() - 3600_000 })
  const stale = await post(server, '/', BODY, { 'gcms-signature': old })
  assert.equal(stale.status, 401)
  assert.equal(JSON.parse(stale.text).extensions.code, 'timestamp_too_old')
  assert.equal(calls, 1)
})

test('withHygraphSignature (req, res): a body a framework already parsed uses the drop-in body path', async () => {
  // Hygraph's server escapes <, >, & in the body it signs; the parsed body lost that spelling.
  const goBody = BODY.replace(/</g, '\\u003c').replace(/>/g, '\\u003e')
  const sig = hs.sign(goBody, { secret: SECRET })
  let seen
  const handler = hs.withHygraphSignature(
    (req, res) => {
      seen = req.hookseal
      res.end('ok')
    },
    { secret: SECRET, environments: ['master'] },
  )
  const res = fakeRes()
  const req = { headers: { 'gcms-signature': sig }, body: JSON.parse(BODY) }
  await handler(req, res)
  assert.equal(res.statusCode, 200)
  assert.equal(seen.environment, 'master')

  const res2 = fakeRes()
  await handler({ headers: { 'gcms-signature': sig }, body: { ...JSON.parse(BODY), extra: 1 } }, res2)
  assert.equal(res2.statusCode, 401)
  assert.equal(JSON.parse(res2.body).extensions.code, 'signature_mismatch')
})

function fakeRes() {
  return {
    statusCode: 200,
    headers: {},
    body: '',
    headersSent: false,
    writableEnded: false,
    setHeader(k, v) {
      this.headers[k.toLowerCase()] = v
    },
    end(b) {
      this.body += b ?? ''
      this.writableEnded = true
    },
  }
}

test('withHygraphSignature Fetch style: Request in, Response out, handler still reads the body', async () => {
  const POST = hs.withHygraphSignature(
    async (request, verified) => {
      const body = await request.json()
      return Response.json({ ok: true, op: body.operation, environment: verified.environment })
    },
    { secret: SECRET, environments: ['master'] },
  )
  const sig = hs.sign(BODY, { secret: SECRET })
  const req = new Request('http://localhost/api/hygraph', { method: 'POST', body: BODY, headers: { 'gcms-signature': sig } })
  const r = await POST(req, { params: {} })
  assert.equal(r.status, 200)
  assert.deepEqual(await r.json(), { ok: true, op: 'update', environment: 'master' })

  const wrongEnv = hs.sign(BODY, { secret: SECRET, environment: 'dev' })
  const r2 = await POST(new Request('http://localhost/', { method: 'POST', body: BODY, headers: { 'gcms-signature': wrongEnv } }))
  assert.equal(r2.status, 401)
  const j = await r2.json()
  assert.equal(j.extensions.code, 'environment_not_allowed')
  assert.equal(r2.headers.get('content-type').split(';')[0], 'application/json')
})

test('withSharedSecret: both handler styles, case-insensitive header, repeated header fails', async (t) => {
  const node = hs.withSharedSecret(
    (req, res) => {
      res.end('{"greeting":"hi"}')
    },
    { header: 'ACTION_SECRET', secret: 'action-secret-xyz' },
  )
  const server = await listen(node)
  t.after(() => server.close())
  assert.equal((await post(server, '/', '{}', { action_secret: 'action-secret-xyz' })).status, 200)
  const wrong = await post(server, '/', '{}', { action_secret: 'nope' })
  assert.equal(wrong.status, 401)
  assert.equal(JSON.parse(wrong.text).extensions.code, 'secret_mismatch')
  assertNoLeak(assert, wrong.text, 'action-secret-xyz', 'nope')
  const none = await post(server, '/', '{}')
  assert.equal(JSON.parse(none.text).extensions.code, 'missing_secret')

  // A repeated header (Node keeps the last one for unknown headers, so check the object form).
  assert.equal(hs.verifySharedSecret({ action_secret: ['action-secret-xyz', 'action-secret-xyz'] }, { header: 'ACTION_SECRET', secret: 'action-secret-xyz' }), false)
  assert.equal(hs.verifySharedSecret(new Map([['Action_Secret', 'action-secret-xyz']]), { header: 'action_secret', secret: ['a', 'action-secret-xyz'] }), true)

  const fetchStyle = hs.withSharedSecret(async () => Response.json({ ok: 1 }), { header: 'ACTION_SECRET', secret: 'action-secret-xyz' })
  const ok = await fetchStyle(new Request('http://x/', { method: 'POST', headers: { 'Action_Secret': 'action-secret-xyz' } }))
  assert.equal(ok.status, 200)
  const no = await fetchStyle(new Request('http://x/', { method: 'POST', headers: { 'Action_Secret': 'wrong' } }))
  assert.equal(no.status, 401)
  assert.equal((await no.json()).extensions.code, 'secret_mismatch')
})

test('configuration mistakes throw at construction, before any request', () => {
  const h = () => {}
  assert.throws(() => hs.withHygraphSignature(h, { secret: process.env.HOOKSEAL_SURELY_UNSET }), TypeError)
  assert.throws(() => hs.withHygraphSignature(h, { secret: '' }), TypeError)
  assert.throws(() => hs.withHygraphSignature(h, { secret: '  \n' }), TypeError)
  assert.throws(() => hs.withHygraphSignature(h, { secret: [] }), TypeError)
  assert.throws(() => hs.withHygraphSignature(h, { secret: ['ok', undefined] }), TypeError)
  assert.throws(() => hs.withHygraphSignature(h, { secret: 's', tolerance: -5 }), RangeError)
  assert.throws(() => hs.withHygraphSignature(h, { secret: 's', tolerance: 1.5 }), RangeError)
  assert.throws(() => hs.withHygraphSignature(h, { secret: 's', environments: [] }), RangeError)
  assert.throws(() => hs.withHygraphSignature(h, { secret: 's', replay: {} }), TypeError)
  assert.throws(() => hs.withSharedSecret(h, { header: 'ACTION_SECRET', secret: process.env.HOOKSEAL_SURELY_UNSET }), TypeError)
  assert.throws(() => hs.withSharedSecret(h, { header: 'bad header', secret: 's' }), TypeError)
  assert.throws(() => hs.verifySharedSecret({}, { header: 'x', secret: '' }), TypeError)
  assert.throws(() => hs.verifyWebhookSignature({ signature: 'x', secret: process.env.HOOKSEAL_SURELY_UNSET }), TypeError)
  assert.throws(() => hs.verifyWebhookSignature({ signature: 'x', secret: '' }), TypeError)
  assert.throws(() => hs.generateWebhookSignature({ body: {}, secret: undefined }), TypeError)
  assert.throws(() => hs.verify('{}', 'x', { secret: undefined }), TypeError)
  assert.throws(() => hs.verify('{}', 'x', { secret: 's', now: NaN }), RangeError)
  assert.throws(() => hs.createMemoryReplayGuard({ maxEntries: 0 }), RangeError)
  assert.throws(() => hs.createRedisReplayGuard(undefined), TypeError)
})

test('error messages never hold the secret, the MAC or the body', () => {
  const secret = 'super-secret-value-42'
  const body = '{"secretive":"payload-content-xyz"}'
  const good = hs.sign(body, { secret, timestamp: 1_700_000_000_000 })
  const mac = good.slice(5, 49)
  const tries = [
    [body + 'x', good, {}],
    [body, good, { now: 1_800_000_000_000 }],
    [body, good, { now: 1_600_000_000_000 }],
    [body, good, { environments: ['prod'], now: 1_700_000_000_000 }],
    [Buffer.from([0xff, 0xfe]), good, {}],
    [body, good.replace('env=master', 'env='), {}],
    [body, 'garbage ' + secret, {}],
  ]
  for (const [raw, sig, extra] of tries) {
    try {
      hs.verify(raw, sig, { secret: [secret], ...extra })
      assert.fail('should fail')
    } catch (e) {
      assert.ok(e instanceof hs.WebhookVerificationError)
      assert.ok(e instanceof Error)
      assertNoLeak(assert, e.message, secret, mac, body, 'payload-content-xyz')
      assertNoLeak(assert, e.stack, secret, mac, 'payload-content-xyz')
    }
  }
  for (const bad of [undefined, '', '  ']) {
    try {
      hs.verify(body, good, { secret: bad })
    } catch (e) {
      assert.ok(e instanceof TypeError)
    }
  }
  try {
    hs.assertSharedSecret({ action_secret: 'wrong-value-123' }, { header: 'ACTION_SECRET', secret })
  } catch (e) {
    assert.equal(e.code, 'secret_mismatch')
    assertNoLeak(assert, e.message, secret, 'wrong-value-123')
  }
})

test('strict verify: rotation index, tolerance both ways, now as Date, tolerance null', () => {
  const body = '{"a":1}'
  const t = 1_700_000_000_000
  const h = hs.sign(body, { secret: 'b', timestamp: t })
  assert.deepEqual(hs.verify(body, h, { secret: ['a', 'b'], now: new Date(t + 1000) }), { environment: 'master', timestamp: t, secretIndex: 1 })
  assert.throws(() => hs.verify(body, h, { secret: 'b', now: t + 301_000 }), { code: 'timestamp_too_old' })
  assert.throws(() => hs.verify(body, h, { secret: 'b', now: t - 301_000 }), { code: 'timestamp_in_future' })
  assert.equal(hs.verify(body, h, { secret: 'b', now: t + 10 ** 10, tolerance: null }).secretIndex, 0)
  assert.equal(hs.verify(new TextEncoder().encode(body).buffer, h, { secret: 'b', now: t }).environment, 'master')
  assert.throws(() => hs.verify(body, h, { secret: 'b', now: t, environments: ['prod'] }), { code: 'environment_not_allowed' })
})

test('Hasura helpers', () => {
  const e = hs.hasuraActionError('name is required', 'bad_input')
  assert.equal(e.status, 400)
  assert.deepEqual(e.body, { message: 'name is required', extensions: { code: 'bad_input' } })
  assert.equal(e.toResponse().status, 400)
  assert.equal(hs.hasuraActionError('x', 'y', 422).status, 422)
  assert.throws(() => hs.hasuraActionError('x', 'y', 200), RangeError)

  assert.deepEqual(hs.hasuraAuthResponse({ role: 'user', 'user-id': 42, is_admin: false }, { maxAge: 60 }), {
    'X-Hasura-Role': 'user',
    'X-Hasura-User-Id': '42',
    'X-Hasura-Is-Admin': 'false',
    'Cache-Control': 'max-age=60',
  })
  assert.deepEqual(hs.hasuraAuthResponse({ role: 'user' }, { expires: new Date(Date.UTC(2030, 0, 2, 3, 4, 5)) }), {
    'X-Hasura-Role': 'user',
    Expires: 'Wed, 02 Jan 2030 03:04:05 GMT',
  })
  assert.throws(() => hs.hasuraAuthResponse({ 'user-id': '1' }), TypeError)
  assert.throws(() => hs.hasuraAuthResponse({ role: 'u', 'bad key': 'x' }), TypeError)
  assert.throws(() => hs.hasuraAuthResponse({ role: 'u' }, { maxAge: 1, expires: 2 }), TypeError)

  const action = { action: { name: 'greet' }, input: { name: 'Ada' }, session_variables: { 'x-hasura-role': 'user' } }
  assert.deepEqual(hs.parseHasuraAction(JSON.stringify(action)), action)
  assert.deepEqual(hs.parseHasuraAction(Buffer.from(JSON.stringify(action))), action)
  assert.equal(hs.parseHasuraAction(action), action)
  assert.throws(() => hs.parseHasuraAction({ action: {}, input: {} }), (err) => err.code === 'malformed_payload' && /action\.name/.test(err.message))
  assert.throws(() => hs.parseHasuraAction('not json'), { code: 'malformed_payload' })

  const event = {
    id: 'e1',
    event: { op: 'UPDATE', data: { old: { id: 1 }, new: { id: 1, x: 2 } } },
    table: { schema: 'public', name: 'users' },
    trigger: { name: 't' },
  }
  assert.equal(hs.parseHasuraEvent(JSON.stringify(event)).event.op, 'UPDATE')
  assert.throws(() => hs.parseHasuraEvent({ ...event, event: { op: 'UPSERT', data: {} } }), (err) => err.code === 'malformed_payload' && /event\.op/.test(err.message))
})

test('ESM entry exposes the same API', async () => {
  const esm = await import('../index.mjs')
  assert.equal(esm.verify, hs.verify)
  assert.equal(esm.withHygraphSignature, hs.withHygraphSignature)
  assert.equal(esm.default, hs)
})

test('fromEnv: a missing variable is a TypeError naming it, except while next build runs; then 500 per request until it is set', async (t) => {
  const name = 'HOOKSEAL_TEST_SECRET_' + process.pid
  const phase = process.env.NEXT_PHASE
  t.after(() => {
    delete process.env[name]
    if (phase === undefined) delete process.env.NEXT_PHASE
    else process.env.NEXT_PHASE = phase
  })
  assert.throws(() => hs.withHygraphSignature(async () => new Response('ok'), { secret: hs.fromEnv(name) }), {
    name: 'TypeError',
    message: `hookseal: the secret is missing: the environment variable ${name} is not set`,
  })
  assert.throws(() => hs.withSharedSecret(async () => new Response('ok'), { header: 'X', secret: process.env[name] }), TypeError)
  process.env.NEXT_PHASE = 'phase-production-build'
  let ran = 0
  const hook = hs.withHygraphSignature(async () => new Response(String(++ran)), { secret: hs.fromEnv(name) })
  const shared = hs.withSharedSecret(async () => new Response(String(++ran)), { header: 'X', secret: [hs.fromEnv(name)] })
  const unnamed = hs.withSharedSecret(async () => new Response(String(++ran)), { header: 'X', secret: process.env[name] })
  const body = '{"a":1}'
  const post = (headers) => new Request('http://localhost/', { method: 'POST', body, headers })
  for (const [w, headers] of [[hook, { 'gcms-signature': hs.sign(body, { secret: 'late' }) }], [shared, { x: 'late' }]]) {
    const r = await w(post(headers))
    assert.equal(r.status, 500)
    assert.deepEqual(await r.json(), {
      message: `hookseal: the secret is missing: the environment variable ${name} is not set; the request was refused`,
      extensions: { code: 'not_configured' },
    })
  }
  process.env[name] = 'late'
  assert.equal((await hook(post({ 'gcms-signature': hs.sign(body, { secret: 'late' }) }))).status, 200)
  assert.equal((await hook(post({ 'gcms-signature': hs.sign(body, { secret: 'other' }) }))).status, 401)
  assert.equal((await shared(post({ x: 'late' }))).status, 200)
  assert.equal((await shared(post({ x: 'nope' }))).status, 401)
  // Given process.env.X itself, the wrapper cannot read it again: still 500, with the hint.
  const r = await unnamed(post({ x: 'late' }))
  assert.equal(r.status, 500)
  assert.match((await r.json()).message, /pass secret: fromEnv\("NAME"\)/)
  assert.equal(ran, 2)
  assert.equal(hs.verify(body, hs.sign(body, { secret: 'late' }), { secret: hs.fromEnv(name) }).environment, 'master')
})
