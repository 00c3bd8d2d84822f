'use strict'
// hookseal/hono under workerd, on the WebAssembly engine: the app of tests/fw-hono-app.mjs (every
// case of the shared vectors as a Hono route) bundled for the `workerd` export condition with
// esbuild, the .wasm kept as a module (workerd compiles no WebAssembly from bytes), and served by
// workerd itself; the same cases as tests/hono.test.js, driven over HTTP. esbuild and workerd come
// from the Cloudflare Worker example (`make worker` installs them; HOOKSEAL_WORKERD_TOOLS may
// name another node_modules folder holding both).
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { serve } = require('./helpers.js')
const { runCases, send } = require('../tests/fw-helpers.js')

const PKG = path.join(__dirname, '..')
const ROOT = path.join(PKG, '..')
const TOOLS = process.env.HOOKSEAL_WORKERD_TOOLS || path.join(ROOT, 'examples', 'cloudflare-worker', 'node_modules')
const WRANGLER = fs.readFileSync(path.join(ROOT, 'examples', 'cloudflare-worker', 'wrangler.jsonc'), 'utf8')
const { compatibility_date: COMPAT } = JSON.parse(WRANGLER.replace(/^\s*\/\/.*$/gm, ''))

/** The Worker: the vector files, the cases and the Hono app, built on the first request. */
function entry() {
  const abs = (p) => JSON.stringify(path.join(PKG, p))
  const vec = (f) => JSON.stringify(path.join(ROOT, 'tests', 'vectors', f))
  return `
import { Hono } from 'hono'
import * as mw from 'hookseal/hono'
import * as hs from 'hookseal'
import * as fw from ${abs('tests/fw-cases.mjs')}
import { honoApp } from ${abs('tests/fw-hono-app.mjs')}
import strict from ${vec('strict.json')}
import shared from ${vec('shared-secret.json')}
import wrappers from ${vec('hasura-wrappers.json')}

let app
async function build() {
  const cases = fw.prepare([...fw.hygraphCases(strict), ...fw.sharedCases(shared), ...(await fw.hasuraCases(wrappers, hs))], hs)
  const a = honoApp({ Hono, mw, fw, cases })
  a.get('/__backend', (c) => c.json({ backend: hs.backend }))
  // Bodies of 1 KiB and more take the engine's Web Crypto HMAC route under workerd.
  a.post('/__big', mw.hygraphSignature({ secret: 'hono-workerd-big-body' }), async (c) => c.json({ ok: true, length: (await c.req.text()).length }))
  return a
}
export default {
  async fetch(request, env, ctx) {
    app ??= build()
    return (await app).fetch(request, env, ctx)
  },
}
`
}

async function bundle(t) {
  const esbuild = require(path.join(TOOLS, 'esbuild'))
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookseal-hono-workerd-'))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  fs.mkdirSync(path.join(dir, 'node_modules'))
  fs.symlinkSync(PKG, path.join(dir, 'node_modules', 'hookseal'), 'dir') // the package under test, by its name
  fs.writeFileSync(path.join(dir, 'entry.mjs'), entry())
  const wasm = []
  await esbuild.build({
    entryPoints: [path.join(dir, 'entry.mjs')],
    outfile: path.join(dir, 'worker.js'),
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    nodePaths: [path.join(PKG, 'node_modules')],
    logLevel: 'error',
    plugins: [
      {
        name: 'wasm-module',
        setup(b) {
          // `import module from '../hookseal.wasm'` stays an import of a wasm module of the Worker.
          b.onResolve({ filter: /\.wasm$/ }, (args) => {
            const file = path.resolve(args.resolveDir, args.path)
            wasm.push(file)
            return { path: path.basename(file), external: true }
          })
        },
      },
    ],
  })
  const modules = [`(name = "worker.js", esModule = embed "worker.js")`]
  for (const file of new Set(wasm)) {
    fs.copyFileSync(file, path.join(dir, path.basename(file)))
    modules.push(`(name = ${JSON.stringify(path.basename(file))}, wasm = embed ${JSON.stringify(path.basename(file))})`)
  }
  return { dir, modules }
}

/** The workerd config; the socket's address is given on the command line (--socket-addr). */
function capnp(dir, modules) {
  const file = path.join(dir, 'workerd.capnp')
  fs.writeFileSync(
    file,
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "main", worker = .worker)],
  sockets = [(name = "http", address = "127.0.0.1:0", http = (), service = "main")],
);
const worker :Workerd.Worker = (
  modules = [${modules.join(', ')}],
  compatibilityDate = ${JSON.stringify(COMPAT)},
);
`,
  )
  return file
}

test('workerd: every shared vector through hookseal/hono on the WebAssembly engine', { timeout: 180_000 }, async (t) => {
  assert.ok(fs.existsSync(path.join(TOOLS, 'workerd')), `${TOOLS}/workerd is missing: run make worker (or set HOOKSEAL_WORKERD_TOOLS)`)
  const { dir, modules } = await bundle(t)
  assert.equal(modules.length, 2, 'the bundle imports the .wasm as a module')
  const bin = require(path.join(TOOLS, 'workerd')).default
  const config = capnp(dir, modules)
  const server = await serve(t, [bin, 'serve', config, '--socket-addr', 'http=127.0.0.1:{port}'], { cwd: dir, env: { ...process.env } })
  const b = await send(server.url, '/__backend', { method: 'GET' })
  assert.deepEqual([b.status, JSON.parse(b.text)], [200, { backend: 'wasm' }], server.log())
  for (const size of [1024, 64 * 1024]) {
    const body = JSON.stringify({ operation: 'publish', data: { html: '<p>Fish & chips</p>'.repeat(size / 16) } })
    const sig = require('..').sign(body, { secret: 'hono-workerd-big-body' })
    const r = await send(server.url, '/__big', { headers: [['gcms-signature', sig]], body })
    assert.deepEqual([r.status, JSON.parse(r.text)], [200, { ok: true, length: body.length }], `${size}: ${r.text}`)
    const bad = await send(server.url, '/__big', { headers: [['gcms-signature', sig]], body: body.replace('Fish', 'Fist') })
    assert.equal(JSON.parse(bad.text).extensions.code, 'signature_mismatch')
  }
  const fw = await import('../tests/fw-cases.mjs')
  // The case list the driver walks: the same files, the same order as the Worker's.
  const { loadVectors } = require('../tests/helpers.js')
  const cases = [
    ...fw.hygraphCases(loadVectors('strict.json')),
    ...fw.sharedCases(loadVectors('shared-secret.json')),
    ...(await fw.hasuraCases(loadVectors('hasura-wrappers.json'), require('..'))),
  ]
  const ran = await runCases(t, assert, fw, cases, server.url, { remote: true })
  assert.ok(ran > 60, `ran ${ran} cases`)
})
