'use strict'
// Differential property test against the reference, @hygraph/utils 1.2.1 (contract §2a).
const test = require('node:test')
const assert = require('node:assert/strict')
const fc = require('fast-check')
const ref = require('@hygraph/utils')
const hs = require('..')

const RUNS = Number(process.env.HOOKSEAL_FC_RUNS || 3000)

// Characters that matter: ASCII, escapes, HTML characters, U+2028/9, astral, lone surrogates.
const unit = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) },
  { weight: 2, arbitrary: fc.constantFrom('"', '\\', '<', '>', '&', '\u2028', '\u2029', '\n', '\t', '\u0000', '\u001f', '\u007f') },
  { weight: 2, arbitrary: fc.integer({ min: 0x80, max: 0xffff }).map((c) => String.fromCharCode(c)) },
  { weight: 1, arbitrary: fc.integer({ min: 0x10000, max: 0x10ffff }).map((c) => String.fromCodePoint(c)) },
  { weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)) },
)
const str = fc.array(unit, { maxLength: 24 }).map((a) => a.join(''))

const { json } = fc.letrec((tie) => ({
  json: fc.oneof(
    { depthSize: 'small' },
    str,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('json'), { maxLength: 4 }),
    fc.dictionary(str, tie('json'), { maxKeys: 4 }),
  ),
}))
const body = fc.oneof(fc.dictionary(str, json, { maxKeys: 5 }), json)
const secret = str.filter((s) => s.trim() !== '' && !/^[\t\n\v\f\r ]+$/.test(s))
const env = str.filter((s) => !s.includes(', '))
const intTime = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER })

function refGenerate(opts, t) {
  const now = Date.now
  Date.now = () => t
  try {
    return ref.generateWebhookSignature(opts)
  } finally {
    Date.now = now
  }
}

function refVerify(opts) {
  try {
    return ref.verifyWebhookSignature(opts)
  } catch {
    return 'throws'
  }
}

const HTML = /[<>&\u2028\u2029]/

test('each library’s generateWebhookSignature verifies in the other (parsed body)', () => {
  fc.assert(
    fc.property(body, secret, env, intTime, (b, s, e, t) => {
      const theirs = refGenerate({ body: b, secret: s, environmentName: e }, t)
      const ours = hs.generateWebhookSignature({ body: b, secret: s, environmentName: e, timestamp: t })
      assert.equal(ours, theirs)
      assert.equal(hs.verifyWebhookSignature({ body: b, signature: theirs, secret: s }), true)
      assert.equal(ref.verifyWebhookSignature({ body: b, signature: ours, secret: s }), true)
    }),
    { numRuns: RUNS },
  )
})

test('each library’s generateWebhookSignature verifies in the other (rawPayload strings and Buffers)', () => {
  fc.assert(
    fc.property(str, secret, env, intTime, (raw, s, e, t) => {
      const theirs = refGenerate({ rawPayload: raw, secret: s, environmentName: e }, t)
      const ours = hs.generateWebhookSignature({ rawPayload: raw, secret: s, environmentName: e, timestamp: t })
      assert.equal(ours, theirs)
      assert.equal(hs.verifyWebhookSignature({ rawPayload: raw, signature: theirs, secret: s }), true)
      assert.equal(ref.verifyWebhookSignature({ rawPayload: raw, signature: ours, secret: s }), true)
      if (raw.isWellFormed() && raw !== '') {
        assert.equal(hs.verifyWebhookSignature({ rawPayload: Buffer.from(raw), signature: theirs, secret: s }), true)
      }
    }),
    { numRuns: RUNS },
  )
})

// Headers built from pieces the reference's parser is sensitive to, plus arbitrary strings.
const header = fc.oneof(
  { weight: 1, arbitrary: fc.string({ maxLength: 80 }) },
  { weight: 1, arbitrary: str },
  {
    weight: 6,
    // Canonical pieces, with at most one of them replaced by a variant the reference reads
    // differently (so that valid headers are common and each variant is tried alone).
    arbitrary: fc
      .record({
        signPrefix: fc.constantFrom('Sign=', '', 'sign=sign=', ' sign='),
        sep1: fc.constantFrom(',', ' , ', ', , '),
        envPrefix: fc.constantFrom('ENV=', '', 'env=env=', ' env='),
        sep2: fc.constantFrom(',', ', , ', ' ,'),
        tPrefix: fc.constantFrom('T=', '', 't=t='),
        tStyle: fc.constantFrom('hex', 'plus', 'space', 'junk', 'frac', 'zero'),
        tail: fc.constantFrom(', x=1', ' ', ', '),
        which: fc.nat(9),
        mutate: fc.option(fc.tuple(fc.nat(), unit), { freq: 6 }),
      })
      .map((p) => {
        const keys = ['signPrefix', 'sep1', 'envPrefix', 'sep2', 'tPrefix', 'tStyle', 'tail']
        const canon = { signPrefix: 'sign=', sep1: ', ', envPrefix: 'env=', sep2: ', ', tPrefix: 't=', tStyle: 'dec', tail: '' }
        const out = { ...canon, mutate: p.mutate }
        if (p.which < keys.length) out[keys[p.which]] = p[keys[p.which]]
        return out
      }),
  },
)

function tSpelling(t, style) {
  switch (style) {
    case 'hex':
      return '0x' + t.toString(16)
    case 'plus':
      return '+' + t
    case 'space':
      return ' \t' + t
    case 'junk':
      return t + 'ms'
    case 'frac':
      return t + '.9'
    case 'zero':
      return '00' + t
    default:
      return String(t)
  }
}

test('on arbitrary headers both agree, except where the reference throws or the HTML variant applies', () => {
  let agreedTrue = 0
  fc.assert(
    fc.property(header, fc.oneof(str, fc.constant(undefined)), body, secret, env, intTime, (h, raw, b, s, e, t) => {
      let signature = h
      if (typeof h === 'object') {
        const mac = refGenerate({ rawPayload: raw, body: b, secret: s, environmentName: e }, t).split(', ')[0].slice(5)
        signature = `${h.signPrefix}${mac}${h.sep1}${h.envPrefix}${e}${h.sep2}${h.tPrefix}${tSpelling(t, h.tStyle)}${h.tail}`
        if (h.mutate) {
          const [at, ch] = h.mutate
          const i = at % (signature.length + 1)
          signature = signature.slice(0, i) + ch + signature.slice(i + 1)
        }
      }
      const opts = { rawPayload: raw, body: b, signature, secret: s }
      const theirs = refVerify(opts)
      const ours = hs.verifyWebhookSignature(opts)
      if (theirs === 'throws') return assert.equal(ours, false)
      if (theirs === ours) {
        if (ours) agreedTrue++
        return
      }
      // Only allowed difference: the HTML-escaped variant turns a reference false into true.
      const payload = raw || JSON.stringify(b)
      assert.ok(theirs === false && ours === true && payload !== undefined && HTML.test(payload), `disagree on ${JSON.stringify(signature)}`)
    }),
    { numRuns: RUNS },
  )
  assert.ok(agreedTrue > RUNS / 25, `too few valid headers exercised (${agreedTrue})`)
})

test('the HTML-escaped variant: a Hygraph-server signature over an escaped body verifies from the parsed body', () => {
  const esc = (s) => s.replace(/[<>&\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'))
  fc.assert(
    fc.property(fc.dictionary(str, str, { minKeys: 1, maxKeys: 4 }), secret, intTime, (b, s, t) => {
      const text = JSON.stringify(b)
      const goText = esc(text)
      const sig = refGenerate({ rawPayload: goText, secret: s, environmentName: 'master' }, t)
      const ours = hs.verifyWebhookSignature({ body: b, signature: sig, secret: s })
      assert.equal(ours, true)
      if (goText !== text) assert.equal(ref.verifyWebhookSignature({ body: b, signature: sig, secret: s }), false)
    }),
    { numRuns: Math.ceil(RUNS / 3) },
  )
})
