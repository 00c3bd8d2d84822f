'use strict'
// The npm tarballs of `make dist` (dist/npm/), tested as users get them. `make test-dist` builds
// them and installs what this file runs them with (qemu-user, an arm64 Node, musl's loader) first.
// - what each tarball holds, and that every version agrees with package.json;
// - every .node needs at most GLIBC_2.17; the musl one needs no glibc and links under musl;
// - main + hookseal-linux-x64-gnu installed offline into a fresh npm project, no cargo on PATH:
//   the platform package's addon loads, and the vector suite passes against it;
// - main + hookseal-linux-arm64-gnu installed by npm running on an arm64 Node under qemu-user:
//   the arm64 addon loads there and the vector suite passes.
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

/** PATH without any directory that holds cargo or rustc. */
function pathWithoutCargo() {
  return (process.env.PATH || '')
    .split(path.delimiter)
    .filter((d) => d && !fs.existsSync(path.join(d, 'cargo')) && !fs.existsSync(path.join(d, 'rustc')))
    .join(path.delimiter)
}

/** A fresh npm project in a temporary folder. */
/** This process's environment for a child that runs suites of its own (not as our subtests). */
function childEnv(extra = {}) {
  const env = { ...process.env, ...extra }
  delete env.NODE_TEST_CONTEXT
  if (!('HOOKSEAL_TEST_PROJECT' in extra)) delete env.HOOKSEAL_TEST_PROJECT
  return env
}

function freshProject(t) {
  const app = tmpdir(t, 'hookseal-app-')
  fs.writeFileSync(path.join(app, 'package.json'), '{"name":"app","version":"1.0.0","private":true}\n')
  return app
}
const npmCli = () => fs.realpathSync(execFileSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).trim())
const NPM_INSTALL = ['install', '--offline', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error']

function check(res, what) {
  assert.equal(res.status, 0, `${what} failed (${res.status ?? res.signal}):\n${res.stdout}\n${res.stderr}`)
  return res.stdout
}

// The addon file a process loaded, as `require.cache` sees it after `require('hookseal')`.
const LOADED = "require('hookseal'); process.stdout.write(JSON.stringify({ arch: process.arch, addons: Object.keys(require.cache).filter((k) => k.endsWith('.node')) }))"

test('dist/npm: the main tarball and one per platform, versions agree, no .node in the main one', () => {
  const main = tarball(PKG.name)
  const files = list(main)
  assert.deepEqual(files.filter((f) => f.endsWith('.node')), [], 'the main package holds no .node')
  for (const f of ['package/package.json', 'package/index.js', 'package/index.mjs', 'package/index.d.ts', 'package/binding.js']) {
    assert.ok(files.includes(f), `${f} in the main tarball`)
  }
  assert.deepEqual(files.filter((f) => /\/(src|tests?|scripts|node_modules)\/|Cargo\.toml/.test(f)), [])
  const m = manifest(main)
  assert.equal(m.version, PKG.version)
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
    assert.deepEqual(list(t), ['package/README.md', `package/${file}`, 'package/package.json'].sort())
    const p = manifest(t)
    assert.equal(p.name, `${PKG.name}-${platform}`)
    assert.equal(p.version, PKG.version, `${platform}: version`)
    assert.equal(p.main, file)
    assert.deepEqual({ os: p.os, cpu: p.cpu, libc: p.libc }, fields, `${platform}: os/cpu/libc`)
    assert.equal(p.license, PKG.license)
  }
})

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

for (const platform of ['linux-x64-gnu', 'linux-arm64-gnu']) {
  test(`${platform}: the addon needs at most GLIBC_${MAX_GLIBC} and exports napi_register_module_v1`, (t) => {
    const file = addon(t, platform)
    const max = maxGlibc(file)
    assert.ok(max, 'objdump found GLIBC symbol versions')
    assert.ok(atMost(max, MAX_GLIBC), `${platform} needs GLIBC_${max} > ${MAX_GLIBC}`)
    assert.match(execFileSync('objdump', ['-T', file], { encoding: 'utf8' }), /\.text\s.*\snapi_register_module_v1$/m)
  })
}

test('linux-x64-musl: links against musl only; under musl\'s loader every symbol resolves but the N-API ones Node provides', (t) => {
  const file = addon(t, 'linux-x64-musl')
  assert.equal(maxGlibc(file), null, 'no GLIBC_ symbol versions')
  const needed = [...execFileSync('readelf', ['-d', file], { encoding: 'utf8' }).matchAll(/\(NEEDED\).*\[(.+)\]/g)].map((m) => m[1])
  // musl's loader maps any libc.* NEEDED entry to itself (ldso/dynlink.c, "reserved" names).
  assert.deepEqual(needed.filter((n) => !/^libc\.(so|musl-x86_64\.so\.1)$/.test(n)), [], `NEEDED: ${needed}`)
  assert.match(execFileSync('objdump', ['-T', file], { encoding: 'utf8' }), /\.text\s.*\snapi_register_module_v1$/m)
  const res = spawnSync(tool('MUSL_LOADER'), ['--list', file], { encoding: 'utf8' })
  const report = res.stdout + res.stderr
  assert.match(report, /libc\.so => .*ld-musl/, report)
  const missing = [...report.matchAll(/Error relocating [^:]+: ([^:]+): symbol not found/g)].map((m) => m[1])
  assert.ok(missing.length > 0, `the N-API imports show as unresolved outside Node:\n${report}`)
  assert.deepEqual(missing.filter((s) => !s.startsWith('napi_')), [], 'symbols musl lacks (a glibc-only import?)')
  assert.doesNotMatch(report, /Error loading shared library/)
})

test('linux-x64-gnu: main + platform tarball in a fresh npm project (offline, no cargo) runs native and passes the vectors', { timeout: 300_000 }, (t) => {
  const app = freshProject(t)
  const env = childEnv({ PATH: pathWithoutCargo() })
  assert.notEqual(spawnSync('cargo', ['--version'], { env }).status, 0, 'cargo is not reachable')
  check(spawnSync(process.execPath, [npmCli(), ...NPM_INSTALL, tarball(PKG.name), tarball(`${PKG.name}-linux-x64-gnu`)], { cwd: app, env, encoding: 'utf8' }), 'npm install')
  const loaded = JSON.parse(check(spawnSync(process.execPath, ['-e', LOADED], { cwd: app, env, encoding: 'utf8' }), 'require'))
  assert.deepEqual(loaded.addons, [path.join(fs.realpathSync(app), 'node_modules', `${PKG.name}-linux-x64-gnu`, `${BIN}.linux-x64-gnu.node`)])
  const esm = spawnSync(process.execPath, ['--input-type=module', '-e', "import { verify } from 'hookseal'; process.stdout.write(typeof verify)"], { cwd: app, env, encoding: 'utf8' })
  assert.equal(check(esm, 'import'), 'function')
  const suites = spawnSync(process.execPath, ['--test', 'tests/vectors.test.js'], {
    cwd: PKG_DIR,
    env: { ...env, HOOKSEAL_TEST_PROJECT: app },
    encoding: 'utf8',
  })
  const out = check(suites, 'vector suite')
  assert.match(out, /^# fail 0$/m)
  assert.match(out, /^# pass [1-9]/m)
})

test('linux-arm64-gnu: installed by npm on an arm64 Node under qemu-user, the addon loads and the vectors pass', { timeout: 600_000 }, (t) => {
  const qemu = tool('QEMU_AARCH64')
  const root = tool('ARM64_ROOT')
  const node = tool('ARM64_NODE')
  const arm64 = (args, opts) => spawnSync(qemu, ['-L', root, node, ...args], { encoding: 'utf8', ...opts })
  const app = freshProject(t)
  const env = childEnv()
  // npm itself runs on the arm64 Node, so it picks and accepts packages as an arm64 machine would.
  check(arm64([npmCli(), ...NPM_INSTALL, tarball(PKG.name), tarball(`${PKG.name}-linux-arm64-gnu`)], { cwd: app, env }), 'npm install (arm64)')
  const loaded = JSON.parse(check(arm64(['-e', LOADED], { cwd: app, env }), 'require (arm64)'))
  assert.deepEqual(loaded, {
    arch: 'arm64',
    addons: [path.join(fs.realpathSync(app), 'node_modules', `${PKG.name}-linux-arm64-gnu`, `${BIN}.linux-arm64-gnu.node`)],
  })
  // `node --test` would spawn the arm64 binary without qemu: run the file itself (node:test in-process).
  const suite = arm64(['tests/vectors.test.js'], { cwd: PKG_DIR, env: { ...env, HOOKSEAL_TEST_PROJECT: app } })
  const out = check(suite, 'vector suite (arm64)')
  assert.match(out, /^# fail 0$/m)
  assert.match(out, /^# pass [1-9]/m)
})
