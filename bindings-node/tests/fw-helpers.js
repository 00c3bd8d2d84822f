'use strict'
// Helpers of the framework suites (express, hono, lambda): the shared vectors as routes
// (tests/fw-cases.mjs), a raw HTTP client that can repeat a header line, and the loop that sends
// every case to a listening server and checks the answer.
const http = require('node:http')
const { loadVectors } = require('./helpers')

/** Every case of the shared vectors (strict.json, shared-secret.json, hasura-wrappers.json). */
async function allCases(hs) {
  const fw = await import('./fw-cases.mjs')
  const cases = [
    ...fw.hygraphCases(loadVectors('strict.json')),
    ...fw.sharedCases(loadVectors('shared-secret.json')),
    ...(await fw.hasuraCases(loadVectors('hasura-wrappers.json'), hs)),
  ]
  return { fw, cases: fw.prepare(cases, hs) }
}

/**
 * Cases a real HTTP hop cannot carry as the vector has them, and why. The framework suites skip
 * them over HTTP (the Lambda suite, which builds events, runs them all).
 */
const NOT_OVER_HTTP = {
  'shared/padded-with-space': "HTTP drops a header value's surrounding whitespace (RFC 9110 §5.5)",
}

/**
 * One HTTP request with header lines exactly as given (`headers`: [name, value] pairs; a name
 * given twice is sent on two lines). Resolves `{ status, headers (lower-case), text }`.
 */
function send(base, path, { method = 'POST', headers = [], body } = {}) {
  const url = new URL(path, base)
  // Grouped by name (any case): Node writes an array value as one header line per value.
  const grouped = new Map()
  for (const [k, v] of headers) {
    const g = grouped.get(k.toLowerCase())
    if (g) g.values.push(v)
    else grouped.set(k.toLowerCase(), { name: k, values: [v] })
  }
  const hasBody = body !== undefined && body !== null && method !== 'GET' && method !== 'HEAD'
  const payload = hasBody ? (typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body)) : undefined
  return new Promise((resolve, reject) => {
    const req = http.request({ hostname: url.hostname, port: url.port, path: url.pathname + url.search, method }, (res) => {
      const chunks = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }))
      res.on('error', reject)
    })
    for (const { name, values } of grouped.values()) req.setHeader(name, values.length === 1 ? values[0] : values)
    if (payload !== undefined) req.setHeader('content-length', String(payload.length))
    req.on('error', reject)
    req.end(payload)
  })
}

/** Runs `fn` with Date.now fixed at `ms` (the verifier's clock of a strict.json case). */
async function atTime(ms, fn) {
  if (ms === undefined) return fn()
  const real = Date.now
  Date.now = () => ms
  try {
    return await fn()
  } finally {
    Date.now = real
  }
}

/**
 * Sends every case to `base` + its path and checks the answer. `expectFor(c)` may replace a
 * case's expectations (e.g. a body parser that refuses a body first); `skip` names cases with
 * the reason. `remote`: the app runs in another process (workerd) and has the test-only routes
 * of tests/fw-hono-app.mjs: the store is set up, the clock set and the record read through them.
 */
async function runCases(t, assert, fw, cases, base, { expectFor, skip = {}, remote = false } = {}) {
  const skipped = { ...NOT_OVER_HTTP, ...skip }
  let ran = 0
  for (const c of cases) {
    if (skipped[c.name]) continue
    let answer
    let record
    let after
    if (remote) {
      const s = await send(base, `/__setup${c.path}`, { body: '' })
      assert.equal(s.status, 200, `${c.name}: setup ${s.text}`)
      const headers = c.now === undefined ? c.request.headers : [...c.request.headers, ['x-hookseal-test-now', String(c.now)]]
      answer = await send(base, c.path, { ...c.request, headers })
      const r = await send(base, `/__record${c.path}`, { method: 'GET' })
      ;({ record, after } = JSON.parse(r.text))
      if (after === null) after = undefined
    } else {
      c.record = {}
      if (c.setup) await c.setup()
      answer = await atTime(c.now, () => send(base, c.path, c.request))
      after = c.after ? await c.after() : undefined
      record = c.record
    }
    const e = expectFor ? expectFor(c) : null
    if (e) {
      assert.equal(answer.status, e.status, `${c.name}: ${answer.status} ${answer.text.slice(0, 200)}`)
      if (e.handlerCalled !== undefined) assert.equal(Boolean(record.called), e.handlerCalled, `${c.name}: handler called`)
    } else fw.checkCase(assert, c, answer, record, after)
    ran++
  }
  return ran
}

/** Whether `body` (text or bytes) is what express.json() accepts: a JSON object or array. */
function expressJsonAccepts(body) {
  try {
    const v = JSON.parse(typeof body === 'string' ? body : new TextDecoder().decode(body))
    return v !== null && typeof v === 'object'
  } catch {
    return false
  }
}

module.exports = { allCases, send, atTime, runCases, expressJsonAccepts, NOT_OVER_HTTP }
