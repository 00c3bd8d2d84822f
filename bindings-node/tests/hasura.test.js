'use strict'
// The Hasura wrappers (contract §8) through both adapters: (req, res) on a real node:http server
// and Fetch Request/Response, driven by tests/vectors/hasura-wrappers.json; the replay guard in
// memory and on a real redis-server; the receiver-side auth cache (memory and Redis).
const test = require('node:test')
const assert = require('node:assert/strict')
const http = require('node:http')
const { createHash } = require('node:crypto')
const Redis = require('ioredis')
const { createClient } = require('redis')
const hs = require('..')
const { loadVectors, requireRedisUrl, assertNoLeak } = require('./helpers')

const V = loadVectors('hasura-wrappers.json')
const REDIS_URL = requireRedisUrl()

function listen(handler) {
  return new Promise((resolve) => {
    const server = http.createServer(handler)
    server.listen(0, '127.0.0.1', () => resolve(server))
  })
}

/** Sends `request` ({method, headers, body}) to a server; the answer as {status, headers, text}. */
async function sendTo(server, request) {
  const { port } = server.address()
  const init = { method: request.method, headers: request.headers }
  if (request.body !== undefined && request.method !== 'GET') init.body = request.body
  const r = await fetch(`http://127.0.0.1:${port}/`, init)
  return { status: r.status, headers: r.headers, text: await r.text() }
}

/** Calls a wrapper as a Fetch handler. */
async function sendFetch(wrapped, request) {
  const init = { method: request.method, headers: request.headers }
  if (request.body !== undefined && request.method !== 'GET') init.body = request.body
  const r = await wrapped(new Request('http://localhost/api', init), { params: {} })
  assert.ok(r instanceof Response)
  return { status: r.status, headers: r.headers, text: await r.text() }
}

/** Both adapters: `make(handler)` builds the wrapper; `style` tells the handler which one runs. */
const ADAPTERS = [
  {
    name: '(req, res) on node:http',
    async run(t, make, request) {
      const wrapped = make('node')
      const server = await listen((req, res) => {
        Promise.resolve(wrapped(req, res)).catch((e) => {
          res.statusCode = 599
          res.end(String(e))
        })
      })
      t.after(() => server.close())
      return sendTo(server, request)
    },
  },
  {
    name: 'Fetch',
    run: (t, make, request) => sendFetch(make('fetch'), request),
  },
]

function checkAnswer(got, expect, what) {
  assert.equal(got.status, expect.status, `${what}: status (${got.text})`)
  for (const [k, v] of Object.entries(expect.headers || {})) assert.equal(got.headers.get(k), v, `${what}: header ${k}`)
  if (expect.code !== undefined) assert.equal(JSON.parse(got.text).extensions.code, expect.code, `${what}: code (${got.text})`)
  if (expect.body !== undefined) assert.deepEqual(JSON.parse(got.text), expect.body, `${what}: body`)
}

const deliveryKey = (id) => 'hasura:' + createHash('sha256').update(id).digest('hex')

/** A guard whose every call fails (the store is down). */
const downGuard = () => ({
  kind: 'down',
  processingTtlMs: 1000,
  claim: async () => {
    throw new hs.ReplayStoreError('down')
  },
  complete: async () => {
    throw new hs.ReplayStoreError('down')
  },
  release: async () => {
    throw new hs.ReplayStoreError('down')
  },
})

/** Puts `key` into `state` in `guard`. */
async function prepare(guard, key, state) {
  if (state === 'processing' || state === 'done') assert.equal(await guard.claim(key, { token: 'another-instance' }), 'new')
  if (state === 'done') await guard.complete(key, { token: 'another-instance', doneTtlMs: 60_000 })
}

/** The state of `key` (a claim probe that leaves nothing behind). */
async function stateOf(guard, key) {
  const s = await guard.claim(key, { token: 'probe' })
  if (s === 'new') {
    await guard.release(key, { token: 'probe' })
    return 'absent'
  }
  return s === 'in_progress' ? 'processing' : 'done'
}

function ioredis() {
  return new Redis(REDIS_URL, { maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null })
}

async function ready(client) {
  if (client.status && client.status !== 'ready') await new Promise((r) => client.once('ready', r))
}

let prefixSeq = 0
async function guardFor(t, store, backend) {
  if (store === 'none') return undefined
  if (store === 'down') return downGuard()
  if (backend === 'memory') return hs.createMemoryReplayGuard()
  const client = ioredis()
  t.after(() => client.disconnect())
  await ready(client)
  return hs.createRedisReplayGuard(client, { prefix: `hookseal:test-hasura:${process.pid}:${++prefixSeq}:` })
}

function eventHandler(c, calls) {
  return (style) => {
    const h = c.handler
    if (style === 'node') {
      return async (req, res) => {
        calls.push(req.hasura)
        if (h === 'throw') throw new Error('the event handler broke: secret internals')
        res.statusCode = h === 'ok' ? 200 : h.status
        res.setHeader('content-type', 'application/json')
        res.end(h === 'ok' ? '{"ok":true}' : '')
      }
    }
    return async (request, delivery) => {
      calls.push(delivery)
      assert.equal(typeof (await request.text()), 'string', 'the handler can still read the body')
      if (h === 'throw') throw new Error('the event handler broke: secret internals')
      if (h === 'ok') return Response.json({ ok: true })
      return new Response(h.status === 204 ? null : '', { status: h.status })
    }
  }
}

for (const backend of ['memory', 'redis']) {
  for (const adapter of ADAPTERS) {
    test(`hasura-wrappers.json event: ${adapter.name}, ${backend} guard`, async (t) => {
      t.mock.method(console, 'error', () => {})
      for (const c of V.event) {
        if (backend === 'redis' && (c.store === 'none' || c.store === 'down')) continue
        const guard = await guardFor(t, c.store, backend)
        let key = null
        try {
          key = deliveryKey(hs.parseHasuraDelivery(c.request.body).id)
        } catch {
          // a malformed body has no key
        }
        if (guard && key) await prepare(guard, key, c.store)
        const calls = []
        const handler = eventHandler(c, calls)
        const got = await adapter.run(t, (style) => hs.withHasuraEvent(handler(style), { ...c.options, replay: guard }), c.request)
        const what = `${c.name} (${adapter.name}, ${backend})`
        checkAnswer(got, c.expect, what)
        assert.equal(calls.length > 0, c.expect.handlerCalled, `${what}: handler called`)
        if (calls.length > 0) {
          const d = calls[0]
          const payload = JSON.parse(c.request.body)
          assert.equal(d.id, payload.id)
          assert.equal(d.kind, payload.scheduled_time !== undefined ? 'scheduled' : 'event')
        }
        if (c.expect.after !== undefined && guard && key) assert.equal(await stateOf(guard, key), c.expect.after, `${what}: state after`)
        if (c.expect.status >= 500) assertNoLeak(assert, got.text, 'secret internals', c.options.secret)
      }
    })
  }
}

for (const adapter of ADAPTERS) {
  test(`hasura-wrappers.json action: ${adapter.name}`, async (t) => {
    const logged = []
    t.mock.method(console, 'error', (m) => logged.push(String(m)))
    for (const c of V.action) {
      let got
      const run = async (action) => {
        got = action
        const h = c.handler
        if (h === 'throw') throw new Error('database password is hunter2')
        if (h.actionError) throw hs.hasuraActionError(h.actionError.message, h.actionError.code, h.actionError.status)
        return h.return
      }
      const make = (style) =>
        hs.withHasuraAction(style === 'node' ? (req) => run(req.hasura) : (request, action) => run(action), c.options)
      const answer = await adapter.run(t, make, c.request)
      const what = `${c.name} (${adapter.name})`
      checkAnswer(answer, c.expect, what)
      if (c.expect.handlerGot) {
        assert.equal(got.action.name, c.expect.handlerGot.name, what)
        assert.deepEqual(got.input, c.expect.handlerGot.input, what)
      }
      if (c.handler === 'throw') {
        assertNoLeak(assert, answer.text, 'hunter2')
        assert.ok(logged.some((l) => /action handler failed/.test(l)), `${what}: logged`)
      }
    }
  })
}

function resolveFor(c, seen) {
  return async (auth) => {
    seen.push(auth)
    const r = c.resolve
    if (r === 'throw') throw new Error(`token ${auth.headers.get('authorization')} is bad`)
    if (r === null) return null
    const out = { session: r.session }
    if (r.maxAge !== undefined) out.maxAge = r.maxAge
    if (r.expiresIn !== undefined) out.expiresAt = Date.now() / 1000 + r.expiresIn
    return out
  }
}

for (const adapter of ADAPTERS) {
  test(`hasura-wrappers.json auth: ${adapter.name}`, async (t) => {
    const logged = []
    t.mock.method(console, 'error', (m) => logged.push(String(m)))
    for (const c of V.auth) {
      const seen = []
      const answer = await adapter.run(t, () => hs.withHasuraAuth(resolveFor(c, seen), c.options), c.request)
      const what = `${c.name} (${adapter.name})`
      checkAnswer(answer, c.expect, what)
      assert.ok([200, 401, 500, 400].includes(answer.status), what)
      if (c.resolve === 'throw') assert.ok(answer.status !== 200 && answer.status !== 401, what)
      const g = c.expect.resolveGot
      if (g) {
        assert.equal(seen.length, 1, what)
        assert.equal(seen[0].method, g.method, what)
        assert.ok(seen[0].headers instanceof Headers, what)
        assert.equal(seen[0].headers.get(g.header[0].toUpperCase()), g.header[1], what)
        if ('request' in g) assert.deepEqual(seen[0].request, g.request, what)
      }
    }
    // The log line of a resolve that threw names no header value.
    assert.ok(logged.some((l) => /resolve threw Error/.test(l)), logged.join('\n'))
    for (const l of logged) assertNoLeak(assert, l, 'Bearer abc.def.ghi', 'abc.def.ghi')
  })
}

test('event: two copies at once through a real server: the handler runs once, the copy gets 409 with Retry-After, then a duplicate 200', async (t) => {
  const secret = 'event-secret-xyz'
  let release
  const gate = new Promise((r) => (release = r))
  let runs = 0
  const wrapped = hs.withHasuraEvent(
    async (req, res) => {
      runs++
      await gate
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({ ok: true, kind: req.hasura.kind, id: req.hasura.id }))
    },
    { header: 'X-Event-Secret', secret, replay: hs.createMemoryReplayGuard(), retryAfter: 7 },
  )
  const server = await listen(wrapped)
  t.after(() => server.close())
  const body = JSON.stringify({ id: 'cron-1', name: 'nightly', scheduled_time: '2026-12-02T00:00:00Z', payload: null })
  const req = { method: 'POST', headers: { 'x-event-secret': secret, 'content-type': 'application/json' }, body }
  const first = sendTo(server, req)
  await new Promise((r) => setTimeout(r, 100))
  const copy = await sendTo(server, req)
  assert.equal(copy.status, 409)
  assert.equal(copy.headers.get('retry-after'), '7')
  assert.equal(JSON.parse(copy.text).extensions.code, 'replayed')
  release()
  const done = await first
  assert.equal(done.status, 200)
  assert.deepEqual(JSON.parse(done.text), { ok: true, kind: 'scheduled', id: 'cron-1' })
  const again = await sendTo(server, req)
  assert.deepEqual([again.status, JSON.parse(again.text)], [200, { duplicate: true }])
  assert.equal(runs, 1)
})

test('event: doneTtl is how long done is kept; a returned value is 200 JSON, nothing is 204', async () => {
  const guard = hs.createMemoryReplayGuard()
  const seen = []
  const orig = guard.complete
  guard.complete = (key, o) => {
    seen.push(o.doneTtlMs)
    return orig(key, o)
  }
  const opts = { header: 'x-s', secret: 's1', replay: guard }
  const mk = (id) => new Request('http://x/', { method: 'POST', headers: { 'x-s': 's1' }, body: JSON.stringify({ id, scheduled_time: 't', payload: 1 }) })
  const a = await hs.withHasuraEvent(async (_r, d) => ({ got: d.payload }), { ...opts, doneTtl: 60 })(mk('a'))
  assert.deepEqual([a.status, await a.json()], [200, { got: 1 }])
  const b = await hs.withHasuraEvent(async () => undefined, opts)(mk('b'))
  assert.deepEqual([b.status, await b.text()], [204, ''])
  assert.deepEqual(seen, [60_000, 7 * 24 * 3_600_000])
  assert.throws(() => hs.withHasuraEvent(() => {}, { ...opts, retryAfter: 0 }), RangeError)
  assert.throws(() => hs.withHasuraEvent(() => {}, { ...opts, doneTtl: 1.5 }), RangeError)
  assert.throws(() => hs.withHasuraEvent(() => {}, { ...opts, replay: {} }), TypeError)
  assert.throws(() => hs.withHasuraEvent(() => {}, { header: 'x-s', secret: undefined }), TypeError)
})

test('action: hasuraActionError is throwable (an Error) and keeps its return-value API; a (req, res) handler may write res', async (t) => {
  const e = hs.hasuraActionError('name is required', 'bad_input', 422, { field: 'name' })
  assert.ok(e instanceof Error)
  assert.ok(e instanceof hs.HasuraActionError)
  assert.equal(e.status, 422)
  assert.deepEqual(e.body, { message: 'name is required', extensions: { field: 'name', code: 'bad_input' } })
  assert.equal(e.toResponse().status, 422)
  const action = JSON.stringify({ action: { name: 'greet' }, input: { name: '' }, session_variables: {} })
  const opts = { header: 'ACTION_SECRET', secret: 'act' }
  // returned, not thrown, works too
  const r = await hs.withHasuraAction(async () => hs.hasuraActionError('greet needs a name', 'bad_input'), opts)(
    new Request('http://x/', { method: 'POST', headers: { action_secret: 'act' }, body: action }),
  )
  assert.deepEqual([r.status, await r.json()], [400, { message: 'greet needs a name', extensions: { code: 'bad_input' } }])
  const node = hs.withHasuraAction((req, res) => {
    res.statusCode = 201
    res.end(JSON.stringify({ wrote: req.hasura.action.name }))
  }, opts)
  const server = await listen(node)
  t.after(() => server.close())
  const got = await sendTo(server, { method: 'POST', headers: { action_secret: 'act' }, body: action })
  assert.deepEqual([got.status, JSON.parse(got.text)], [201, { wrote: 'greet' }])
})

test('auth cache (memory): served without resolve for the same credential only, never past its lifetime, max-age shrinks', async () => {
  let clock = 1_700_000_000_000
  let calls = 0
  const resolve = async (auth) => {
    calls++
    const token = auth.headers.get('authorization')
    if (token === 'Bearer short') return { session: { role: 'user', userId: 2 }, expiresAt: clock / 1000 + 30.5 }
    if (token && token.startsWith('Bearer ')) return { session: { role: 'user', userId: token.slice(7) } }
    if (token === 'boom') throw new Error('resolve broke')
    return null
  }
  const w = hs.withHasuraAuth(resolve, { maxAge: 60, cache: { store: 'memory' }, now: () => clock })
  const ask = async (authorization, extra = {}) => {
    const headers = { ...extra }
    if (authorization) headers.authorization = authorization
    const r = await w(new Request('http://x/', { headers }))
    return { status: r.status, body: await r.json() }
  }
  assert.deepEqual(await ask('Bearer a'), { status: 200, body: { 'X-Hasura-Role': 'user', 'X-Hasura-User-Id': 'a', 'Cache-Control': 'max-age=60' } })
  assert.equal(calls, 1)
  clock += 20_000
  assert.deepEqual(await ask('Bearer a'), { status: 200, body: { 'X-Hasura-Role': 'user', 'X-Hasura-User-Id': 'a', 'Cache-Control': 'max-age=40' } })
  assert.equal(calls, 1, 'served from the cache')
  // another credential is never served the cached answer
  assert.equal((await ask('Bearer b')).body['X-Hasura-User-Id'], 'b')
  assert.equal(calls, 2)
  // other headers do not change the key; the same credential in another case does not either
  assert.equal((await ask('Bearer a', { 'x-request-id': 'r-2' })).body['X-Hasura-User-Id'], 'a')
  assert.equal(calls, 2)
  clock += 39_500 // 59.5 s after the answer: still within its lifetime, no cache key left
  assert.deepEqual(await ask('Bearer a'), { status: 200, body: { 'X-Hasura-Role': 'user', 'X-Hasura-User-Id': 'a' } })
  assert.equal(calls, 2)
  clock += 500 // exactly its lifetime: asked again
  await ask('Bearer a')
  assert.equal(calls, 3)
  // a token expiry cuts the lifetime: 30 s, not 60
  await ask('Bearer short')
  assert.equal(calls, 4)
  clock += 29_999
  assert.equal((await ask('Bearer short')).body['Cache-Control'], undefined)
  assert.equal(calls, 4)
  clock += 1
  await ask('Bearer short')
  assert.equal(calls, 5)
  // denials are not cached unless asked; no credential header → never cached
  await ask('Bearer-less')
  await ask('Bearer-less')
  await ask(undefined)
  await ask(undefined)
  assert.equal(calls, 9)
  // a throw is never 200 or 401, and not cached
  const logged = []
  const orig = console.error
  console.error = (m) => logged.push(String(m))
  try {
    for (let i = 0; i < 2; i++) {
      const r = await ask('boom')
      assert.equal(r.status, 500)
      assert.equal(r.body.extensions.code, 'handler_failed')
    }
  } finally {
    console.error = orig
  }
  assert.equal(calls, 11)
  for (const l of logged) assertNoLeak(assert, l, 'boom', 'resolve broke')
})

test('auth cache: cacheDenials keeps a 401 for its seconds; a cookie is a credential; POST bodies share the key', async () => {
  let clock = 1_700_000_000_000
  let calls = 0
  const w = hs.withHasuraAuth(
    async (auth) => {
      calls++
      return auth.headers.get('cookie') === 'session=ok' ? { session: { role: 'user' }, maxAge: 30 } : null
    },
    { mode: 'ddn', cache: { cacheDenials: 5 }, now: () => clock },
  )
  const get = (cookie) => w(new Request('http://x/', { headers: { cookie } }))
  const post = (cookie) =>
    w(new Request('http://x/', { method: 'POST', body: JSON.stringify({ headers: { Cookie: cookie } }), headers: { 'content-type': 'application/json' } }))
  assert.equal((await get('session=bad')).status, 401)
  assert.equal((await post('session=bad')).status, 401)
  assert.equal(calls, 1)
  clock += 5000
  assert.equal((await get('session=bad')).status, 401)
  assert.equal(calls, 2)
  const ok = await post('session=ok')
  assert.deepEqual([ok.status, await ok.json()], [200, { 'x-hasura-role': 'user' }])
  assert.equal((await get('session=ok')).status, 200)
  assert.equal(calls, 3)
  assert.throws(() => hs.withHasuraAuth(() => null, { cache: { store: {} } }), TypeError)
  assert.throws(() => hs.withHasuraAuth(() => null, { cache: { headers: [] } }), TypeError)
  assert.throws(() => hs.withHasuraAuth(() => null, { mode: 'v3' }), TypeError)
  assert.throws(() => hs.withHasuraAuth(() => null, { maxAge: -1 }), RangeError)
})

for (const [name, connect] of [
  [
    'ioredis',
    async () => {
      const c = ioredis()
      await ready(c)
      return { client: c, close: () => c.disconnect() }
    },
  ],
  [
    'node-redis',
    async () => {
      const c = createClient({ url: REDIS_URL, disableOfflineQueue: true, socket: { reconnectStrategy: false } })
      c.on('error', () => {})
      await c.connect()
      return { client: c, close: () => c.quit().catch(() => {}) }
    },
  ],
]) {
  test(`auth cache on Redis (${name}): shared by two wrappers, keyed per credential, expires with its lifetime; Redis down is a miss`, async (t) => {
    const { client, close } = await connect()
    t.after(close)
    const prefix = `hookseal:test-auth:${process.pid}:${name}:`
    let calls = 0
    const resolve = async (auth) => {
      calls++
      return { session: { role: 'user', userId: auth.headers.get('authorization').slice(7) }, maxAge: 1 }
    }
    const a = hs.withHasuraAuth(resolve, { cache: { store: client, prefix } })
    const b = hs.withHasuraAuth(resolve, { cache: { store: client, prefix } })
    const ask = async (w, token) => (await w(new Request('http://x/', { headers: { authorization: `Bearer ${token}` } }))).json()
    assert.equal((await ask(a, 'u1'))['X-Hasura-User-Id'], 'u1')
    assert.equal((await ask(b, 'u1'))['X-Hasura-User-Id'], 'u1')
    assert.equal(calls, 1, 'the second instance was served from Redis')
    assert.equal((await ask(b, 'u2'))['X-Hasura-User-Id'], 'u2')
    assert.equal(calls, 2)
    const send = (args) => (typeof client.call === 'function' ? client.call(...args) : client.sendCommand(args))
    const keys = await send(['KEYS', `${prefix}*`])
    assert.equal(keys.length, 2)
    for (const k of keys) {
      assert.match(String(k), /^hookseal:test-auth:.*hasura-auth:[0-9a-f]{64}$/)
      const ttl = Number(await send(['PTTL', String(k)]))
      assert.ok(ttl > 0 && ttl <= 1000, `PTTL ${ttl} is within the 1 s lifetime`)
      assertNoLeak(assert, String(await send(['GET', String(k)])), 'Bearer u1', 'Bearer u2')
    }
    await new Promise((r) => setTimeout(r, 1100))
    await ask(a, 'u1')
    assert.equal(calls, 3, 'asked again once its lifetime was over')
    await close()
    assert.equal((await ask(a, 'u1'))['X-Hasura-User-Id'], 'u1', 'Redis down: resolve answers')
    assert.equal(calls, 4)
  })
}

test("the wrappers' codes are the core's list (contract §4)", () => {
  const { engine } = require('../js/engine-node.cjs')
  const codes = engine.wrapperCodes()
  for (const c of ['not_configured', 'replay_store_unavailable', 'handler_failed', 'access_denied', 'invalid_session']) assert.ok(codes.includes(c), c)
  assert.equal(engine.replayConstants().hasuraRetryAfterSecs, 10)
})

test('receiver: two-phase (admit, settle) and run, for a framework adapter', async () => {
  const guard = hs.createMemoryReplayGuard()
  const r = hs.createReceiver('hasuraEvent', { header: 'X-Event-Secret', secret: 's', replay: guard })
  assert.equal(r.kind, 'hasuraEvent')
  assert.equal(r.needsBody, true)
  const body = JSON.stringify({ id: 'one-off-1', scheduled_time: '2026-12-02T00:00:00Z', payload: { a: 1 }, created_at: 'x' })
  const request = { method: 'POST', headers: { 'X-Event-Secret': 's' }, body: Buffer.from(body) }
  const a = await r.admit(request)
  assert.equal(a.answer, undefined)
  assert.deepEqual(a.value, { ...JSON.parse(body), kind: 'scheduled', id: 'one-off-1' })
  const copy = await r.admit(request)
  assert.equal(copy.answer.status, 409)
  assert.equal(copy.answer.headers['retry-after'], '10')
  await a.settle(500) // the route failed: released
  const b = await r.admit({ ...request, body: JSON.parse(body) }) // a parsed body works too
  const answer = await b.reply({ handled: true })
  assert.deepEqual(answer, { status: 200, headers: { 'content-type': 'application/json; charset=utf-8' }, body: '{"handled":true}' })
  const dup = await r.run(request, () => assert.fail('not called for a done delivery'))
  assert.deepEqual([dup.status, dup.body], [200, '{"duplicate":true}'])
  assert.equal((await r.run({ ...request, headers: {} }, () => 1)).status, 401)
  const shared = hs.createReceiver('sharedSecret', { header: 'x-s', secret: 'k' })
  assert.equal(shared.needsBody, false)
  assert.deepEqual(await shared.run({ headers: new Headers({ 'x-s': 'k' }) }, () => undefined), { status: 204, headers: {}, body: '' })
  assert.equal(hs.answerResponse({ status: 204, headers: {}, body: '' }).status, 204)
  assert.throws(() => hs.createReceiver('stripe', {}), TypeError)
})

test('(req, res): a returned value is the answer; a body a framework parsed works; a secret missing while next build runs is 500 not_configured', async (t) => {
  const action = { action: { name: 'greet' }, input: { name: 'Ada' }, session_variables: { 'x-hasura-role': 'user' }, request_query: null }
  const w = hs.withHasuraAction(async (req) => ({ greeting: `Hello, ${req.hasura.input.name}!` }), { header: 'ACTION_SECRET', secret: 'a' })
  const server = await listen(w)
  t.after(() => server.close())
  const got = await sendTo(server, { method: 'POST', headers: { action_secret: 'a' }, body: JSON.stringify(action) })
  assert.deepEqual([got.status, got.headers.get('content-type'), JSON.parse(got.text)], [200, 'application/json; charset=utf-8', { greeting: 'Hello, Ada!' }])

  // Express with express.json(): req.body is the parsed object and the stream is consumed.
  const res = {
    statusCode: 200,
    headers: {},
    body: '',
    headersSent: false,
    writableEnded: false,
    setHeader(k, v) {
      this.headers[k] = v
    },
    end(b) {
      this.body += b ?? ''
      this.writableEnded = true
    },
  }
  const ev = hs.withHasuraEvent(async (req) => ({ id: req.hasura.id, kind: req.hasura.kind }), { header: 'x-s', secret: 's' })
  await ev({ method: 'POST', headers: { 'x-s': 's' }, body: { id: 'p-1', scheduled_time: 'now', payload: null } }, res)
  assert.deepEqual([res.statusCode, JSON.parse(res.body)], [200, { id: 'p-1', kind: 'scheduled' }])

  const name = 'HOOKSEAL_TEST_EVENT_SECRET_' + process.pid
  const phase = process.env.NEXT_PHASE
  process.env.NEXT_PHASE = 'phase-production-build'
  t.after(() => {
    if (phase === undefined) delete process.env.NEXT_PHASE
    else process.env.NEXT_PHASE = phase
  })
  const late = hs.withHasuraEvent(async () => undefined, { header: 'x-s', secret: hs.fromEnv(name) })
  const r = await late(new Request('http://x/', { method: 'POST', headers: { 'x-s': 'v' }, body: '{"id":"1","scheduled_time":"t","payload":null}' }))
  assert.equal(r.status, 500)
  assert.equal((await r.json()).extensions.code, 'not_configured')
})

test('auth cache on Redis: the entry format every face shares ({"s": session JSON, "e": expiry ms} under hookseal:hasura-auth:<hex>)', async (t) => {
  const client = ioredis()
  t.after(() => client.disconnect())
  await ready(client)
  const { engine } = require('../js/engine-node.cjs')
  const key = engine.hasuraAuthCacheKey('v2', ['authorization', 'cookie'], ['Authorization'], ['Bearer written-by-another-face'])
  assert.match(key, /^hasura-auth:[0-9a-f]{64}$/)
  const e = Date.now() + 30_000
  await client.call('SET', 'hookseal:' + key, JSON.stringify({ s: JSON.stringify({ role: 'user', userId: 7 }), e }), 'PX', '30000')
  const w = hs.withHasuraAuth(() => assert.fail('served from the entry'), { cache: { store: client } })
  const r = await w(new Request('http://x/', { headers: { authorization: 'Bearer written-by-another-face' } }))
  const body = await r.json()
  assert.equal(r.status, 200)
  assert.equal(body['X-Hasura-User-Id'], '7')
  assert.match(body['Cache-Control'], /^max-age=(29|30)$/)
  // what Node writes reads back the same way
  const w2 = hs.withHasuraAuth(() => ({ session: { role: 'user', userId: 8 }, maxAge: 20 }), { cache: { store: client } })
  await w2(new Request('http://x/', { headers: { authorization: 'Bearer node-wrote-this' } }))
  const k2 = engine.hasuraAuthCacheKey('v2', ['authorization', 'cookie'], ['authorization'], ['Bearer node-wrote-this'])
  const stored = JSON.parse(await client.call('GET', 'hookseal:' + k2))
  assert.deepEqual(Object.keys(stored).sort(), ['e', 's'])
  assert.deepEqual(JSON.parse(stored.s), { role: 'user', userId: 8 })
  assert.ok(stored.e > Date.now() + 18_000 && stored.e <= Date.now() + 20_000)
  await client.call('DEL', 'hookseal:' + key, 'hookseal:' + k2)
})
