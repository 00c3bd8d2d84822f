'use strict'
// hookseal/hono: the middleware of every wrapper on a Hono app served by @hono/node-server on a
// real listening server, through every case of the shared vectors (Hygraph strict, shared
// secret, the three Hasura wrappers); then what a route sees (c.get('hookseal'), the body still
// readable) and how the module loads (CommonJS and ESM give one copy of the API). The same app
// runs under workerd in tests-runtimes/hono-workerd.test.js.
const test = require('node:test')
const assert = require('node:assert/strict')
const hs = require('..')
const mw = require('hookseal/hono')
const { allCases, runCases, send } = require('./fw-helpers')

async function serveApp(t, app) {
  const { serve } = await import('@hono/node-server')
  const server = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s))
  })
  t.after(() => server.close())
  return `http://127.0.0.1:${server.address().port}`
}

test('Hono (@hono/node-server): every shared vector through hookseal/hono', async (t) => {
  const { Hono } = await import('hono')
  const { honoApp } = await import('./fw-hono-app.mjs')
  const { fw, cases } = await allCases(hs)
  const base = await serveApp(t, honoApp({ Hono, mw, fw, cases }))
  const ran = await runCases(t, assert, fw, cases, base)
  assert.ok(ran > 60, `ran ${ran} cases`)
})

test('Hono: the route reads the body after the middleware, and gets what was verified', async (t) => {
  const { Hono } = await import('hono')
  const secret = 'hono-route-secret'
  const app = new Hono()
  app.post('/hygraph', mw.hygraphSignature({ secret, environments: ['master'] }), async (c) => {
    const v = c.get('hookseal')
    return c.json({ op: (await c.req.json()).operation, text: await c.req.text(), environment: v.environment })
  })
  app.post('/shared', mw.sharedSecret({ header: 'x-action-secret', secret: 'a1' }), async (c) => c.json(await c.req.json()))
  const base = await serveApp(t, app)
  const body = '{ "operation": "publish" }'
  let r = await send(base, '/hygraph', { headers: [['gcms-signature', hs.sign(body, { secret })]], body })
  assert.equal(r.status, 200, r.text)
  assert.deepEqual(JSON.parse(r.text), { op: 'publish', text: body, environment: 'master' })
  r = await send(base, '/shared', { headers: [['X-Action-Secret', 'a1']], body: '{"x":1}' })
  assert.deepEqual([r.status, JSON.parse(r.text)], [200, { x: 1 }])
  r = await send(base, '/shared', { headers: [['X-Action-Secret', 'no']], body: '{"x":1}' })
  assert.deepEqual([r.status, JSON.parse(r.text).extensions.code], [401, 'secret_mismatch'])
})

test('Hono: a hasuraActionError made through the ESM entry is recognised by the CommonJS middleware (one API copy in Node)', async (t) => {
  const { Hono } = await import('hono')
  const esm = await import('hookseal')
  const esmHono = await import('hookseal/hono')
  assert.equal(esmHono.hasuraAction, mw.hasuraAction, 'ESM hookseal/hono is the CommonJS twin')
  const app = new Hono()
  app.post('/action', esmHono.hasuraAction({ header: 'x-action-secret', secret: 'a1' }), () => {
    throw esm.hasuraActionError('no such user', 'not_found', 404)
  })
  app.onError((e, c) => c.text('', 500))
  const base = await serveApp(t, app)
  const body = JSON.stringify({ action: { name: 'find' }, input: {}, session_variables: { 'x-hasura-role': 'user' }, request_query: 'q' })
  const r = await send(base, '/action', { headers: [['x-action-secret', 'a1'], ['content-type', 'application/json']], body })
  assert.deepEqual([r.status, JSON.parse(r.text)], [404, { message: 'no such user', extensions: { code: 'not_found' } }])
})

test('Hono: options as a function of the context are read once, on the first request (Workers secrets in c.env)', async () => {
  const { Hono } = await import('hono')
  const app = new Hono()
  let calls = 0
  app.post(
    '/hygraph',
    mw.hygraphSignature((c) => {
      calls++
      return { secret: c.env.HYGRAPH_WEBHOOK_SECRET }
    }),
    (c) => c.json({ environment: c.get('hookseal').environment }),
  )
  const env = { HYGRAPH_WEBHOOK_SECRET: 'from-c-env' }
  const body = '{"operation":"publish"}'
  for (const secret of ['from-c-env', 'from-c-env', 'other']) {
    const r = await app.request('/hygraph', { method: 'POST', body, headers: { 'gcms-signature': hs.sign(body, { secret }) } }, env)
    assert.equal(r.status, secret === 'other' ? 401 : 200)
  }
  assert.equal(calls, 1)
})

test("Hono: a route's HTTPException keeps its answer (and releases the claim); any other throw is handler_failed", async () => {
  const { Hono } = await import('hono')
  const { HTTPException } = await import('hono/http-exception')
  const replay = hs.createMemoryReplayGuard()
  const secret = 'hono-http-exception'
  let mode = 'http'
  const app = new Hono()
  app.post('/h', mw.hygraphSignature({ secret, replay }), () => {
    if (mode === 'http') throw new HTTPException(418, { message: 'teapot' })
    if (mode === 'error') throw new Error('boom')
    return new Response('done')
  })
  app.onError((e, c) => (e instanceof HTTPException ? e.getResponse() : c.text('Internal Server Error', 500)))
  const body = '{"operation":"publish"}'
  const sig = hs.sign(body, { secret })
  const post = () => app.request('/h', { method: 'POST', body, headers: { 'gcms-signature': sig } })
  let r = await post()
  assert.deepEqual([r.status, await r.text()], [418, 'teapot'])
  mode = 'error'
  r = await post() // released after the 418: the same delivery runs again
  assert.deepEqual([r.status, (await r.json()).extensions.code], [500, 'handler_failed'])
  mode = 'ok'
  r = await post()
  assert.deepEqual([r.status, await r.text()], [200, 'done'])
  r = await post()
  assert.deepEqual([r.status, await r.json()], [200, { duplicate: true }])
})
