'use strict'
// Shared helpers of the Node test suite.
const fs = require('node:fs')
const path = require('node:path')
const assert = require('node:assert/strict')
const { createHmac } = require('node:crypto')

const VECTORS = path.join(__dirname, '..', '..', 'tests', 'vectors')

/** Loads a vector file; `optional` files return null when absent. */
function loadVectors(name, { optional = false } = {}) {
  const file = path.join(VECTORS, name)
  if (optional && !fs.existsSync(file)) return null
  return JSON.parse(fs.readFileSync(file, 'utf8'))
}

/** A JS string from UTF-16 code units (lone surrogates kept). */
function fromUtf16(units) {
  let s = ''
  for (let i = 0; i < units.length; i += 4096) s += String.fromCharCode(...units.slice(i, i + 4096))
  return s
}

/** The double whose IEEE-754 bits are `hex` (16 hex digits). */
function fromBits(hex) {
  return Buffer.from(hex, 'hex').readDoubleBE(0)
}

/** A plain or `{repeat, times}` value of the bad-input catalogue. */
function expand(v) {
  if (v && typeof v === 'object' && 'repeat' in v) return v.repeat.repeat(v.times)
  return v
}

/** base64 HMAC-SHA256 of `text` (a JS string, hashed as Node does). */
function hmac(secret, text) {
  return createHmac('sha256', secret).update(text).digest('base64')
}

/** The envelope Node builds. */
function envelope(body, env, t) {
  return JSON.stringify({ Body: body || undefined, EnvironmentName: env, TimeStamp: t })
}

/** Asserts that `text` leaks none of `secrets` (nor their MACs). */
function assertNoLeak(assert, text, ...secrets) {
  for (const s of secrets) {
    if (s && s.length >= 4) assert.ok(!String(text).includes(s), `message leaks a secret/MAC/body: ${String(text).slice(0, 200)}`)
  }
}

function requireRedisUrl() {
  const url = process.env.REDIS_URL
  if (!url) {
    throw new Error('REDIS_URL is not set: run the suite through scripts/with-redis.sh (npm test from make test-node)')
  }
  return url
}

/** Runs the steps of a replay.json scenario through `op(step)`, comparing with `expect`. */
function runReplaySteps(c, op) {
  return c.steps.reduce(
    (p, step, i) => p.then(async () => assert.deepEqual(await op(step), step.expect, `${c.name}, step ${i}: ${JSON.stringify(step)}`)),
    Promise.resolve(),
  )
}

/** The steps of replay.json as guard calls (the clock is the guard's own). */
function guardOp(g) {
  return (st) =>
    st.op === 'claim'
      ? g.claim(st.key, { token: st.token, processingTtlMs: st.ttlMs })
      : st.op === 'complete'
        ? g.complete(st.key, { token: st.token, doneTtlMs: st.ttlMs })
        : g.release(st.key, { token: st.token })
}

module.exports = {
  loadVectors,
  fromUtf16,
  fromBits,
  expand,
  hmac,
  envelope,
  assertNoLeak,
  requireRedisUrl,
  runReplaySteps,
  guardOp,
  VECTORS,
}
