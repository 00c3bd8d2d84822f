'use strict'
// Packaging: `npm pack` gives the main tarball (JS, types, the WebAssembly engine; no `.node`).
// Installed ALONE into a fresh project, without cargo on PATH, it runs on the WebAssembly engine
// and passes the shared vectors (CommonJS and ESM). With the platform tarball of this machine
// (dist/npm/hookseal-linux-x64-gnu-*.tgz, from `make dist`) it runs native and passes them too.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { execFileSync } = require('node:child_process')

const PKG = path.join(__dirname, '..')
const DIST = path.join(PKG, '..', 'dist', 'npm')

// PATH without any directory that holds cargo or rustc.
const PATH = (process.env.PATH || '')
  .split(path.delimiter)
  .filter((d) => d && !fs.existsSync(path.join(d, 'cargo')) && !fs.existsSync(path.join(d, 'rustc')))
  .join(path.delimiter)
const ENV = { ...process.env, PATH, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' }
delete ENV.HOOKSEAL_BACKEND
const npm = process.env.npm_execpath
const NPM = npm && npm.endsWith('.js') ? [process.execPath, [npm]] : ['npm', []]

function pack(t) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hookseal-pack-'))
  t.after(() => fs.rmSync(tmp, { recursive: true, force: true }))
  const out = execFileSync(NPM[0], [...NPM[1], 'pack', '--silent', '--pack-destination', tmp], { cwd: PKG, encoding: 'utf8' })
  return { tmp, tarball: path.join(tmp, out.trim().split('\n').pop()) }
}

/** A fresh project in `tmp` with `tarballs` installed as a user would (`npm install <file>`). */
function project(tmp, name, tarballs) {
  const app = path.join(tmp, name)
  fs.mkdirSync(app)
  fs.writeFileSync(path.join(app, 'package.json'), `{"name":"${name}","version":"1.0.0","private":true}`)
  execFileSync(NPM[0], [...NPM[1], 'install', '--offline', '--no-package-lock', ...tarballs], { cwd: app, env: ENV, stdio: 'pipe' })
  return app
}

function usesApi(app, backend) {
  const script = `
    const hs = require('hookseal')
    const h = hs.sign('{"a":1}', { secret: 's3cret', timestamp: 1700000000000 })
    const v = hs.verify('{"a":1}', h, { secret: 's3cret', now: 1700000000000 })
    const d = hs.verifyWebhookSignature({ rawPayload: '{"a":1}', signature: h, secret: 's3cret' })
    process.stdout.write(JSON.stringify({ backend: hs.backend, env: v.environment, d }))
  `
  const res = execFileSync(process.execPath, ['-e', script], { cwd: app, env: ENV, encoding: 'utf8' })
  assert.deepEqual(JSON.parse(res), { backend, env: 'master', d: true })
  const esm = execFileSync(process.execPath, ['--input-type=module', '-e', "import { verify, backend } from 'hookseal'; process.stdout.write(typeof verify + ' ' + backend)"], {
    cwd: app,
    env: ENV,
    encoding: 'utf8',
  })
  assert.equal(esm, `function ${backend}`)
  // The shared vectors, through the installed package.
  execFileSync(process.execPath, ['--test', path.join(__dirname, 'vectors.test.js')], {
    env: { ...ENV, HOOKSEAL_PACKAGE: path.join(app, 'node_modules', 'hookseal'), HOOKSEAL_EXPECT_BACKEND: backend },
    stdio: 'pipe',
  })
}

test('the main tarball holds the JS, the types and the WebAssembly engine, and no .node', (t) => {
  const { tarball } = pack(t)
  const list = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean)
  for (const f of ['index.js', 'index.mjs', 'index.d.ts', 'binding.js', 'hookseal.wasm', 'js/api.mjs', 'js/api.cjs', 'js/wasm.mjs', 'js/wasm.cjs', 'js/engine-node.cjs', 'js/engine-edge.mjs', 'js/engine-workerd.mjs', 'js/engine-web.mjs']) {
    assert.ok(list.includes(`package/${f}`), `${f} missing from the tarball`)
  }
  assert.deepEqual(list.filter((f) => /\.node$|\/src\/|Cargo\.toml|node_modules|tests\//.test(f)), [])
})

test('the main tarball alone, in a fresh project without cargo: WebAssembly engine, vectors pass', { timeout: 180_000 }, (t) => {
  assert.throws(() => execFileSync('cargo', ['--version'], { env: ENV, stdio: 'ignore' }))
  const { tmp, tarball } = pack(t)
  usesApi(project(tmp, 'wasm-only', [tarball]), 'wasm')
})

const platform = fs.existsSync(DIST) ? fs.readdirSync(DIST).find((f) => f.startsWith(`hookseal-${process.platform}-${process.arch}-gnu-`) && f.endsWith('.tgz')) : undefined
test('the main tarball with this platform\'s tarball from `make dist`: native engine, vectors pass', { timeout: 180_000, skip: platform ? false : 'no platform tarball in dist/npm (make dist writes it)' }, (t) => {
  const { tmp, tarball } = pack(t)
  usesApi(project(tmp, 'native', [tarball, path.join(DIST, platform)]), 'native')
})
