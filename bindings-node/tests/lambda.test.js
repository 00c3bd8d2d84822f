'use strict'
// hookseal/lambda against the AWS Lambda proxy events of tests/vectors/aws-lambda-events.json
// (API Gateway REST payload 1.0, HTTP API payload 2.0, function URL, in the shapes of AWS's
// documentation): the request read out of each documented event, then every case of the shared
// vectors (Hygraph strict, shared secret, the three Hasura wrappers) put into an event of every
// source and variant (text and base64 bodies, the header spellings each source produces), through
// the Lambda-shaped wrappers and through withLambda over the main entry's Fetch wrappers.
const test = require('node:test')
const assert = require('node:assert/strict')
const hs = require('..')
const lambda = require('hookseal/lambda')
const { loadVectors } = require('./helpers')
const { allCases, atTime } = require('./fw-helpers')

const EVENTS = loadVectors('aws-lambda-events.json')

const lowerKeys = (o) => Object.fromEntries(Object.entries(o || {}).map(([k, v]) => [k.toLowerCase(), v]))

test('aws-lambda-events.json: the request read out of every documented event', () => {
  for (const c of EVENTS.cases) {
    const r = lambda.lambdaRequest(structuredClone(c.event))
    assert.equal(r.method, c.expect.method, c.name)
    const headers = Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, Array.isArray(v) ? v : [v]]))
    assert.deepEqual(headers, c.expect.headers, `${c.name}: headers`)
    const body = typeof r.body === 'string' ? Buffer.from(r.body, 'utf8') : Buffer.from(r.body)
    assert.equal(body.toString('base64'), c.expect.bodyBase64, `${c.name}: body`)
  }
})

/** Whether bytes are valid UTF-8 (only such a body can travel as text). */
function isUtf8(bytes) {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes)
    return true
  } catch {
    return false
  }
}

const title = (name) => name.split('-').map((p) => p.charAt(0).toUpperCase() + p.slice(1)).join('-')

/** A vector's request as an event of `variant`, by the file's placement rules. */
function toEvent(variant, request) {
  const ev = structuredClone(EVENTS.templates[variant.source])
  const spell = variant.headerCase === 'title' ? title : variant.headerCase === 'lower' ? (n) => n.toLowerCase() : (n) => n
  const bytes = request.body === undefined || request.body === null ? null : typeof request.body === 'string' ? Buffer.from(request.body, 'utf8') : Buffer.from(request.body)
  const hasBody = bytes !== null && request.method !== 'GET'
  const asBase64 = hasBody && (variant.base64 || !isUtf8(bytes))
  if (variant.source === 'rest_v1') {
    ev.httpMethod = request.method
    ev.requestContext.httpMethod = request.method
    ev.headers = {}
    ev.multiValueHeaders = {}
    for (const [k, v] of request.headers) {
      const name = spell(k)
      ev.headers[name] = v
      ;(ev.multiValueHeaders[name] ||= []).push(v)
    }
    ev.body = hasBody ? (asBase64 ? bytes.toString('base64') : bytes.toString('utf8')) : null
  } else {
    ev.requestContext.http.method = request.method
    ev.headers = {}
    const cookies = []
    for (const [k, v] of request.headers) {
      const name = k.toLowerCase()
      if (name === 'cookie') cookies.push(...v.split('; ').filter(Boolean))
      else ev.headers[name] = name in ev.headers ? `${ev.headers[name]},${v}` : v
    }
    if (cookies.length) ev.cookies = cookies
    if (hasBody) ev.body = asBase64 ? bytes.toString('base64') : bytes.toString('utf8')
  }
  ev.isBase64Encoded = asBase64
  return ev
}

/** The Lambda-shaped wrapper of a case: `(event, context)` handlers, `event.hookseal`. */
function lambdaHandler(fw, c) {
  const proxy = (o) => ({
    statusCode: o.status,
    headers: { 'content-type': 'application/json' },
    body: o.json === undefined ? '' : JSON.stringify(o.json),
  })
  switch (c.kind) {
    case 'hygraph':
      return lambda.withHygraphSignature(async (event) => proxy(fw.act(c, c.record, event.hookseal)), c.options)
    case 'sharedSecret':
      return lambda.withSharedSecret(async () => proxy(fw.act(c, c.record)), c.options)
    case 'hasuraEvent':
      return lambda.withHasuraEvent(async (event) => proxy(fw.act(c, c.record, event.hookseal)), c.options)
    case 'hasuraAction':
      return lambda.withHasuraAction(async (event) => fw.act(c, c.record, event.hookseal).value, c.options)
    case 'hasuraAuth':
      return lambda.withHasuraAuth(async (auth) => fw.act(c, c.record, auth).resolved, c.options)
    default:
      throw new Error(c.kind)
  }
}

/** The main entry's Fetch wrapper of a case, made a Lambda handler by withLambda. */
function fetchHandler(fw, c) {
  const respond = (o) => (o.json === undefined ? new Response(null, { status: o.status }) : Response.json(o.json, { status: o.status }))
  switch (c.kind) {
    case 'hygraph':
      return lambda.withLambda(hs.withHygraphSignature(async (request, v) => respond(fw.act(c, c.record, v)), c.options))
    case 'sharedSecret':
      return lambda.withLambda(hs.withSharedSecret(async () => respond(fw.act(c, c.record)), c.options))
    case 'hasuraEvent':
      return lambda.withLambda(hs.withHasuraEvent(async (request, d) => respond(fw.act(c, c.record, d)), c.options))
    case 'hasuraAction':
      return lambda.withLambda(hs.withHasuraAction(async (request, a) => fw.act(c, c.record, a).value, c.options))
    case 'hasuraAuth':
      return lambda.withLambda(hs.withHasuraAuth(async (auth) => fw.act(c, c.record, auth).resolved, c.options))
    default:
      throw new Error(c.kind)
  }
}

async function runVariant(fw, cases, variant, make, skip = {}) {
  let ran = 0
  for (const c of cases) {
    if (skip[c.name]) continue
    const handler = make(fw, c)
    c.record = {}
    if (c.setup) await c.setup()
    const event = toEvent(variant, c.request)
    const result = await atTime(c.now, () => handler(event, { awsRequestId: 'test', functionName: 'hookseal-test' }))
    assert.equal(typeof result.statusCode, 'number', `${variant.name} ${c.name}: a proxy result`)
    assert.equal(typeof result.body, 'string', `${variant.name} ${c.name}: a string body`)
    const text = result.isBase64Encoded ? Buffer.from(result.body, 'base64').toString('utf8') : result.body
    const after = c.after ? await c.after() : undefined
    fw.checkCase(assert, { ...c, name: `${variant.name} ${c.name}` }, { status: result.statusCode, headers: lowerKeys(result.headers), text }, c.record, after)
    ran++
  }
  return ran
}

for (const variant of EVENTS.variants) {
  test(`Lambda ${variant.name}: every shared vector through the Lambda-shaped wrappers`, async () => {
    const { fw, cases } = await allCases(hs)
    assert.ok((await runVariant(fw, cases, variant, lambdaHandler)) > 60)
  })

  test(`Lambda ${variant.name}: every shared vector through withLambda over the Fetch wrappers`, async () => {
    const { fw, cases } = await allCases(hs)
    // A Fetch Headers object trims a value's surrounding whitespace, as HTTP does.
    const skip = { 'shared/padded-with-space': 'Fetch Headers trim values' }
    assert.ok((await runVariant(fw, cases, variant, fetchHandler, skip)) > 60)
  })
}

test('Lambda: what the handler sees, and the proxy result it may return or leave to hookseal', async () => {
  const secret = 'lambda-shape-secret'
  const ev = EVENTS.cases.find((c) => c.name === 'http-v2-text-body-cookies').event
  const seen = []
  const handler = lambda.withSharedSecret(
    async (event, context) => {
      seen.push({ hookseal: 'hookseal' in event, context })
      return { statusCode: 202, headers: { 'x-handled': 'yes' }, body: 'accepted' }
    },
    { header: 'x-hasura-event-secret', secret: 'event-secret' },
  )
  const r = await handler(structuredClone(ev), { awsRequestId: 'r1' })
  assert.deepEqual(r, { statusCode: 202, headers: { 'x-handled': 'yes' }, body: 'accepted' }, 'a proxy result goes out as it is')
  assert.deepEqual(seen, [{ hookseal: true, context: { awsRequestId: 'r1' } }])

  const noSecret = structuredClone(ev)
  delete noSecret.headers['x-hasura-event-secret']
  const refused = await handler(noSecret, {})
  assert.equal(refused.statusCode, 401)
  assert.equal(refused.isBase64Encoded, false)
  assert.equal(JSON.parse(refused.body).extensions.code, 'missing_secret')

  // A plain value is answered as JSON (200); nothing is a 204.
  const body = '{"operation":"publish"}'
  const hy = lambda.withHygraphSignature(async (event) => ({ environment: event.hookseal.environment }), { secret })
  const event = toEvent(EVENTS.variants[0], { method: 'POST', headers: [['gcms-signature', hs.sign(body, { secret })]], body })
  const ok = await hy(event, {})
  assert.deepEqual([ok.statusCode, JSON.parse(ok.body)], [200, { environment: 'master' }])
  const none = await lambda.withHygraphSignature(async () => undefined, { secret })(structuredClone(event), {})
  assert.equal(none.statusCode, 204)
})

test('withLambda: URL, query and a binary answer from a Fetch handler; set-cookie per payload version', async () => {
  const handler = lambda.withLambda(async (request) => {
    const u = new URL(request.url)
    const headers = new Headers({ 'content-type': 'application/octet-stream' })
    headers.append('set-cookie', 'a=1')
    headers.append('set-cookie', 'b=2')
    return new Response(new Uint8Array([0, 255, 1, u.searchParams.getAll('x').length]), { status: 200, headers })
  })
  const v2 = structuredClone(EVENTS.templates.http_v2)
  v2.rawQueryString = 'x=1&x=2'
  v2.requestContext.http.method = 'GET'
  let r = await handler(v2, {})
  assert.equal(r.isBase64Encoded, true)
  assert.deepEqual([...Buffer.from(r.body, 'base64')], [0, 255, 1, 2])
  assert.deepEqual(r.cookies, ['a=1', 'b=2'])
  const v1 = structuredClone(EVENTS.templates.rest_v1)
  v1.httpMethod = 'GET'
  v1.multiValueQueryStringParameters = { x: ['1', '2', '3'] }
  r = await handler(v1, {})
  assert.deepEqual([...Buffer.from(r.body, 'base64')], [0, 255, 1, 3])
  assert.deepEqual(r.multiValueHeaders, { 'set-cookie': ['a=1', 'b=2'] })
})

test('hookseal/lambda: ESM and CommonJS are one module in Node; a handler that is not a function is a TypeError', async () => {
  const esm = await import('hookseal/lambda')
  assert.equal(esm.withHasuraEvent, lambda.withHasuraEvent)
  assert.throws(() => lambda.withHasuraEvent(null, { header: 'x', secret: 's' }), TypeError)
  assert.throws(() => lambda.withLambda('nope'), TypeError)
})

test('Lambda: large bodies (1 KiB to 1 MiB, text and base64) verify through every source, and a changed byte is refused', async () => {
  const secret = 'lambda-large-body'
  const handler = lambda.withHygraphSignature(async (event) => ({ length: lambda.lambdaRequest(event).body.length }), { secret })
  for (const size of [1024, 64 * 1024, 1024 * 1024]) {
    const body = JSON.stringify({ operation: 'publish', data: { html: '<p>Grüße & “quotes”</p>'.repeat(size / 24) } })
    const sig = hs.sign(body, { secret })
    for (const variant of EVENTS.variants) {
      const ok = await handler(toEvent(variant, { method: 'POST', headers: [['gcms-signature', sig]], body }), {})
      assert.equal(ok.statusCode, 200, `${variant.name} ${size}: ${ok.body}`)
      const bad = await handler(toEvent(variant, { method: 'POST', headers: [['gcms-signature', sig]], body: body.replace('Grüße', 'Grüsse') }), {})
      assert.equal(JSON.parse(bad.body).extensions.code, 'signature_mismatch', `${variant.name} ${size}`)
    }
  }
})
