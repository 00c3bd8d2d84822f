'use strict'
// The Worker example under workerd (as workerd.test.js starts it) with bodies of 1 KiB and more:
// there the WebAssembly engine builds the envelope and Web Crypto (crypto.subtle) computes the
// HMAC (issue 23). Genuine bodies pass, altered ones do not, and the HTML-escaped spelling of a
// parsed body (contract §2) still verifies through that route.
const test = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const { HYGRAPH, ACTION, serve, hygraphSignature, post } = require('./helpers.js')

const APP = path.join(__dirname, '..', '..', 'examples', 'cloudflare-worker')

test('workerd: bodies of 1 KiB and more verify through the Web Crypto HMAC', { timeout: 60_000 }, async (t) => {
  const env = { ...process.env, HYGRAPH_WEBHOOK_SECRET: HYGRAPH, HASURA_ACTION_SECRET: ACTION }
  const server = await serve(t, ['node', 'serve.mjs', '{port}'], { cwd: APP, env })
  for (const n of [1000, 5000, 300_000]) {
    const body = JSON.stringify({ operation: 'publish', data: { html: '<p>é "x"</p>'.repeat(n / 10) } })
    const ok = await post(`${server.url}/api/hygraph`, body, { 'gcms-signature': hygraphSignature(body) })
    assert.equal(ok.status, 200, `${n} bytes: ${ok.text}`)
    const altered = await post(`${server.url}/api/hygraph`, body + ' ', { 'gcms-signature': hygraphSignature(body) })
    assert.equal(altered.status, 401, `${n} bytes, altered`)
    // Hygraph signed `\u003c`; the request carries the parsed-and-restringified body.
    const sent = body.replace(/</g, '\\u003c').replace(/>/g, '\\u003e')
    const html = await post(`${server.url}/api/hygraph`, body, { 'gcms-signature': hygraphSignature(sent) })
    assert.equal(html.status, 200, `${n} bytes, HTML-escaped spelling: ${html.text}`)
  }
})
