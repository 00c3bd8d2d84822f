'use strict'
// The npm tarballs of `make dist` (dist/npm/), tested as users get them. `make test-dist` builds
// them and installs what this file runs them with (qemu-user, an arm64 Node, musl's loader) first.
// - what each tarball holds, and that every version agrees with package.json;
// - every .node needs at most GLIBC_2.17; the musl one needs no glibc and links under musl;
// - in fresh npm projects, installed offline as a user would (`npm install <file>`), no cargo on
//   PATH, the API, ESM and the shared vectors (HOOKSEAL_PACKAGE, HOOKSEAL_EXPECT_BACKEND):
//   the main tarball alone runs on the WebAssembly engine; with hookseal-linux-x64-gnu it runs the
//   addon of that package; with hookseal-linux-arm64-gnu, installed by npm running on an arm64
//   Node under qemu-user, the arm64 addon.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { execFileSync, spawnSync } = require('node:child_process')

const PKG_DIR = path.join(__dirname, '..')
const DIST = path.join(PKG_DIR, '..', 'dist', 'npm')
const PKG = JSON.parse(fs.readFileSync(path.join(PKG_DIR, 'package.json'), 'utf8'))
const BIN = PKG.napi.binaryName
const VECTORS_SUITE = path.join(PKG_DIR, 'tests', 'vectors.test.js')

// Every platform package the issue asks for, with the fields npm selects it by.
const PLATFORMS = {
  'linux-x64-gnu': { os: ['linux'], cpu: ['x64'], libc: ['glibc'] },
  'linux-arm64-gnu': { os: ['linux'], cpu: ['arm64'], libc: ['glibc'] },
  'linux-x64-musl': { os: ['linux'], cpu: ['x64'], libc: ['musl'] },
}
const MAX_GLIBC = '2.17'

/** A path `make test-dist` passes in the environment; a clear failure when run another way. */
function tool(name) {
  const p = process.env[name]
  assert.ok(p && fs.existsSync(p), `${name}=${p}: missing; run this suite with \`make test-dist\`, which installs it`)
  return p
}

function tarball(name) {
  const t = path.join(DIST, `${name}-${PKG.version}.tgz`)
  assert.ok(fs.existsSync(t), `${t} is missing: \`make dist\` writes it`)
  return t
}
const list = (t) => execFileSync('tar', ['-tzf', t], { encoding: 'utf8' }).trim().split('\n').sort()
const manifest = (t) => JSON.parse(execFileSync('tar', ['-xzOf', t, 'package/package.json'], { encoding: 'utf8' }))

function tmpdir(t, prefix) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** The addon of a platform tarball, extracted into a temporary folder. */
function addon(t, platform) {
  const dir = tmpdir(t, 'hookseal-addon-')
  execFileSync('tar', ['-xzf', tarball(`${PKG.name}-${platform}`), '-C', dir])
  return path.join(dir, 'package', `${BIN}.${platform}.node`)
}

// ---------------------------------------------------------------- what dist/npm holds

test('dist/npm: the main tarball (JS, types, WebAssembly engine, no .node) and one per platform, versions agree', () => {
  const main = tarball(PKG.name)
  const files = list(main)
  for (const f of ['LICENSE-MIT', 'LICENSE-APACHE', 'index.js', 'index.mjs', 'index.d.ts', 'binding.js', 'hookseal.wasm', 'js/api.mjs', 'js/api.cjs', 'js/wasm.mjs', 'js/wasm.cjs', 'js/engine-node.cjs', 'js/engine-edge.mjs', 'js/engine-workerd.mjs', 'js/engine-web.mjs', 'js/hono.mjs', 'js/hono.cjs', 'js/hono.d.ts', 'js/lambda.mjs', 'js/lambda.cjs', 'js/lambda.d.ts', 'js/express.mjs', 'js/express.cjs', 'js/express.d.ts']) {
    assert.ok(files.includes(`package/${f}`), `${f} missing from the main tarball`)
  }
  assert.deepEqual(files.filter((f) => /\.node$|\/src\/|Cargo\.toml|node_modules|tests?\/|scripts\//.test(f)), [])
  const m = manifest(main)
  assert.equal(m.version, PKG.version)
  assert.equal(m.license, 'MIT OR Apache-2.0', 'the licence the crates and the wheel declare')
  assert.deepEqual(
    m.optionalDependencies,
    Object.fromEntries(Object.keys(PLATFORMS).map((p) => [`${PKG.name}-${p}`, PKG.version])),
    'optionalDependencies name every platform package at the same version',
  )
  const names = fs.readdirSync(DIST).filter((f) => f.endsWith('.tgz')).sort()
  const expected = [PKG.name, ...Object.keys(PLATFORMS).map((p) => `${PKG.name}-${p}`)].map((n) => `${n}-${PKG.version}.tgz`).sort()
  assert.deepEqual(names, expected, 'dist/npm holds exactly these tarballs')

  for (const [platform, fields] of Object.entries(PLATFORMS)) {
    const t = tarball(`${PKG.name}-${platform}`)
    const file = `${BIN}.${platform}.node`
    const expectedFiles = ['LICENSE-APACHE', 'LICENSE-MIT', 'README.md', file, 'package.json']
    assert.deepEqual(list(t), expectedFiles.map((f) => `package/${f}`).sort())
    const p = manifest(t)
    assert.equal(p.name, `${PKG.name}-${platform}`)
    assert.equal(p.version, PKG.version, `${platform}: version`)
    assert.equal(p.main, file)
    assert.deepEqual({ os: p.os, cpu: p.cpu, libc: p.libc }, fields, `${platform}: os/cpu/libc`)
    assert.equal(p.license, PKG.license)
  }
})

// ---------------------------------------------------------------- the binaries

/** The highest GLIBC_x.y symbol version FILE needs, or null. */
function maxGlibc(file) {
  const out = execFileSync('objdump', ['-T', file], { encoding: 'utf8' })
  const versions = [...out.matchAll(/GLIBC_(\d+)\.(\d+)(?:\.(\d+))?/g)].map((m) => [+m[1], +m[2], +(m[3] || 0)])
  if (versions.length === 0) return null
  versions.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2])
  return versions.at(-1).join('.').replace(/\.0$/, '')
}
const atMost = (v, max) => {
  const [a, b] = [v, max].map((x) => x.split('.').map(Number))
  return a[0] < b[0] || (a[0] === b[0] && (a[1] < b[1] || (a[1] === b[1] && (a[2] || 0) <= (b[2] || 0))))
}
const EXPORTS_ENTRY = /\.text\s.*\snapi_register_module_v1$/m

for (const platform of ['linux-x64-gnu', 'linux-arm64-gnu']) {
  test(`${platform}: the addon needs at most GLIBC_${MAX_GLIBC} and exports napi_register_module_v1`, (t) => {
    const file = addon(t, platform)
    const max = maxGlibc(file)
    assert.ok(max, 'objdump found GLIBC symbol versions')
    assert.ok(atMost(max, MAX_GLIBC), `${platform} needs GLIBC_${max} > ${MAX_GLIBC}`)
    assert.match(execFileSync('objdump', ['-T', file], { encoding: 'utf8' }), EXPORTS_ENTRY)
  })
}

test("linux-x64-musl: links against musl only; under musl's loader every symbol resolves but the N-API ones Node provides", (t) => {
  const file = addon(t, 'linux-x64-musl')
  assert.equal(maxGlibc(file), null, 'no GLIBC_ symbol versions')
  const needed = [...execFileSync('readelf', ['-d', file], { encoding: 'utf8' }).matchAll(/\(NEEDED\).*\[(.+)\]/g)].map((m) => m[1])
  // musl's loader maps any libc.* NEEDED entry to itself (ldso/dynlink.c, "reserved" names).
  assert.deepEqual(needed.filter((n) => !/^libc\.(so|musl-x86_64\.so\.1)$/.test(n)), [], `NEEDED: ${needed}`)
  assert.match(execFileSync('objdump', ['-T', file], { encoding: 'utf8' }), EXPORTS_ENTRY)
  const res = spawnSync(tool('MUSL_LOADER'), ['--list', file], { encoding: 'utf8' })
  const report = res.stdout + res.stderr
  assert.match(report, /libc\.so => .*ld-musl/, report)
  const missing = [...report.matchAll(/Error relocating [^:]+: ([^:]+): symbol not found/g)].map((m) => m[1])
  assert.ok(missing.length > 0, `the N-API imports show as unresolved outside Node:\n${report}`)
  assert.deepEqual(missing.filter((s) => !s.startsWith('napi_')), [], 'symbols musl lacks (a glibc-only import?)')
  assert.doesNotMatch(report, /Error loading shared library/)
})

// ---------------------------------------------------------------- installed in fresh projects

// PATH without any directory that holds cargo or rustc.
const PATH = (process.env.PATH || '')
  .split(path.delimiter)
  .filter((d) => d && !fs.existsSync(path.join(d, 'cargo')) && !fs.existsSync(path.join(d, 'rustc')))
  .join(path.delimiter)
const ENV = { ...process.env, PATH, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' }
delete ENV.HOOKSEAL_BACKEND
delete ENV.NODE_TEST_CONTEXT // the vector suite runs as a suite of its own, not as our subtest
const NPM_CLI = fs.realpathSync(execFileSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).trim())

/** Node on this machine, or (arm64) the arm64 Node under qemu-user: `(args, opts) => result`. */
const hostNode = (args, opts) => spawnSync(process.execPath, args, { encoding: 'utf8', env: ENV, ...opts })
function arm64Node() {
  const [qemu, root, node] = [tool('QEMU_AARCH64'), tool('ARM64_ROOT'), tool('ARM64_NODE')]
  return (args, opts) => spawnSync(qemu, ['-L', root, node, ...args], { encoding: 'utf8', env: ENV, ...opts })
}

function ok(res, what) {
  assert.equal(res.status, 0, `${what} failed (${res.status ?? res.signal}):\n${res.stdout}\n${res.stderr}`)
  return res.stdout
}

/** A fresh project with `tarballs` installed as a user would, by npm running on `node`. */
function project(t, tarballs, node = hostNode) {
  const app = tmpdir(t, 'hookseal-app-')
  fs.writeFileSync(path.join(app, 'package.json'), '{"name":"app","version":"1.0.0","private":true}\n')
  ok(node([NPM_CLI, 'install', '--offline', '--no-package-lock', '--loglevel=error', ...tarballs], { cwd: app }), 'npm install')
  return app
}

/** The API, CommonJS and ESM, and the shared vectors, through the hookseal `app` installed. */
function usesApi(app, backend, addonFile, node = hostNode) {
  const script = `
    const hs = require('hookseal')
    const h = hs.sign('{"a":1}', { secret: 's3cret', timestamp: 1700000000000 })
    const v = hs.verify('{"a":1}', h, { secret: 's3cret', now: 1700000000000 })
    const d = hs.verifyWebhookSignature({ rawPayload: '{"a":1}', signature: h, secret: 's3cret' })
    const addons = Object.keys(require.cache).filter((k) => k.endsWith('.node'))
    process.stdout.write(JSON.stringify({ backend: hs.backend, env: v.environment, d, addons }))
  `
  const addons = addonFile ? [path.join(fs.realpathSync(app), 'node_modules', addonFile)] : []
  assert.deepEqual(JSON.parse(ok(node(['-e', script], { cwd: app }), 'require')), { backend, env: 'master', d: true, addons })
  const esm = node(['--input-type=module', '-e', "import { verify, backend } from 'hookseal'; process.stdout.write(typeof verify + ' ' + backend)"], { cwd: app })
  assert.equal(ok(esm, 'import'), `function ${backend}`)
  // The framework entries: ESM and CommonJS load, and in Node they are one module (the twin).
  const sub = node(
    [
      '--input-type=module',
      '-e',
      "import { hasuraEvent } from 'hookseal/hono'; import { withLambda } from 'hookseal/lambda'; import { keepRawBody } from 'hookseal/express'; " +
        "import { createRequire } from 'node:module'; const c = createRequire(process.cwd() + '/')('hookseal/hono'); " +
        "process.stdout.write([typeof hasuraEvent, typeof withLambda, typeof keepRawBody, c.hasuraEvent === hasuraEvent].join(' '))",
    ],
    { cwd: app },
  )
  assert.equal(ok(sub, 'hookseal/hono, /lambda, /express'), 'function function function true')
  // The shared vectors, through the installed package. The file runs itself (node:test reports
  // in-process): `node --test` would spawn process.execPath, which under qemu is not runnable.
  const env = { ...ENV, HOOKSEAL_PACKAGE: path.join(app, 'node_modules', 'hookseal'), HOOKSEAL_EXPECT_BACKEND: backend }
  const out = ok(node([VECTORS_SUITE], { env }), 'the vector suite')
  assert.match(out, /^# fail 0$/m)
  assert.match(out, /^# pass [1-9]/m)
}

test('the main tarball alone, in a fresh project without cargo: WebAssembly engine, vectors pass', { timeout: 300_000 }, (t) => {
  assert.notEqual(spawnSync('cargo', ['--version'], { env: ENV }).status, 0, 'cargo is not reachable')
  usesApi(project(t, [tarball(PKG.name)]), 'wasm', null)
})

test('main + hookseal-linux-x64-gnu, in a fresh project without cargo: the platform package\'s addon, vectors pass', { timeout: 300_000 }, (t) => {
  const app = project(t, [tarball(PKG.name), tarball(`${PKG.name}-linux-x64-gnu`)])
  usesApi(app, 'native', `${PKG.name}-linux-x64-gnu/${BIN}.linux-x64-gnu.node`)
})

test('main + hookseal-linux-arm64-gnu, installed by npm on an arm64 Node under qemu-user: the arm64 addon, vectors pass', { timeout: 900_000 }, (t) => {
  const node = arm64Node()
  assert.equal(ok(node(['-p', 'process.arch']), 'arm64 node').trim(), 'arm64')
  // npm itself runs on the arm64 Node, so it picks and accepts packages as an arm64 machine does.
  const app = project(t, [tarball(PKG.name), tarball(`${PKG.name}-linux-arm64-gnu`)], node)
  usesApi(app, 'native', `${PKG.name}-linux-arm64-gnu/${BIN}.linux-arm64-gnu.node`, node)
})
