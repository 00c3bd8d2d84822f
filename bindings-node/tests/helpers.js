'use strict'
// Shared helpers of the Node test suite.
const fs = require('node:fs')
const path = require('node:path')
const { createRequire } = require('node:module')
const { createHmac } = require('node:crypto')

const VECTORS = path.join(__dirname, '..', '..', 'tests', 'vectors')

/**
 * The hookseal under test: this folder; or, with HOOKSEAL_TEST_PROJECT=<dir>, the hookseal that an
 * npm project in <dir> installed, resolved the way that project's code resolves it (tests-dist/:
 * the shipped tarballs in a fresh project, the arm64 package under qemu).
 */
function underTest() {
  const dir = process.env.HOOKSEAL_TEST_PROJECT
  if (!dir) return require('..')
  // A require rooted in that project: from here, `hookseal` would resolve to this very package
  // (self-reference through its `exports`), whatever `paths` says.
  const file = createRequire(path.join(path.resolve(dir), 'package.json')).resolve('hookseal')
  if (!file.startsWith(path.join(fs.realpathSync(dir), 'node_modules') + path.sep)) {
    throw new Error(`HOOKSEAL_TEST_PROJECT=${dir}: hookseal resolved to ${file}, outside its node_modules`)
  }
  return require(file)
}

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

module.exports = { underTest, loadVectors, fromUtf16, fromBits, expand, hmac, envelope, assertNoLeak, requireRedisUrl, VECTORS }
