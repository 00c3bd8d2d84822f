'use strict'
// Packaging: `npm pack` gives a tarball that installs into an empty folder and works without
// cargo on PATH (the prebuilt linux-x64-gnu addon is inside).
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { execFileSync } = require('node:child_process')

const PKG = path.join(__dirname, '..')

test('npm pack → install into an empty folder without cargo → require and verify', { timeout: 120_000 }, () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hookseal-pack-'))
  try {
    const out = execFileSync('npm', ['pack', '--silent', '--pack-destination', tmp], { cwd: PKG, encoding: 'utf8' })
    const tarball = path.join(tmp, out.trim().split('\n').pop())
    assert.ok(fs.existsSync(tarball), tarball)
    const list = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' })
    assert.match(list, /package\/hookseal\.linux-x64-gnu\.node/)
    assert.match(list, /package\/index\.d\.ts/)
    assert.doesNotMatch(list, /package\/src\/|Cargo\.toml|node_modules|tests\//)

    const app = path.join(tmp, 'app')
    fs.mkdirSync(app)
    fs.writeFileSync(path.join(app, 'package.json'), '{"name":"app","version":"1.0.0","private":true}')
    // PATH without any directory that holds cargo or rustc.
    const PATH = (process.env.PATH || '')
      .split(path.delimiter)
      .filter((d) => d && !fs.existsSync(path.join(d, 'cargo')) && !fs.existsSync(path.join(d, 'rustc')))
      .join(path.delimiter)
    const env = { ...process.env, PATH, npm_config_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false' }
    assert.throws(() => execFileSync('cargo', ['--version'], { env, stdio: 'ignore' }))
    const npm = process.env.npm_execpath
    const npmCmd = npm && npm.endsWith('.js') ? [process.execPath, [npm]] : ['npm', []]
    execFileSync(npmCmd[0], [...npmCmd[1], 'install', '--no-package-lock', tarball], { cwd: app, env, stdio: 'pipe' })

    const script = `
      const hs = require('hookseal')
      const h = hs.sign('{"a":1}', { secret: 's3cret', timestamp: 1700000000000 })
      const v = hs.verify('{"a":1}', h, { secret: 's3cret', now: 1700000000000 })
      const d = hs.verifyWebhookSignature({ rawPayload: '{"a":1}', signature: h, secret: 's3cret' })
      process.stdout.write(JSON.stringify({ env: v.environment, d }))
    `
    const res = execFileSync(process.execPath, ['-e', script], { cwd: app, env, encoding: 'utf8' })
    assert.deepEqual(JSON.parse(res), { env: 'master', d: true })
    const esm = execFileSync(process.execPath, ['--input-type=module', '-e', "import { verify } from 'hookseal'; process.stdout.write(typeof verify)"], {
      cwd: app,
      env,
      encoding: 'utf8',
    })
    assert.equal(esm, 'function')
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true })
  }
})
