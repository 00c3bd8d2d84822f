#!/usr/bin/env node
'use strict'
// `make dist-npm`: every npm tarball users get, written into OUT_DIR, the way napi-rs packages ship.
//
//   node scripts/dist.js OUT_DIR ADDON.node...
//
// - One platform package per `napi.targets` entry of package.json (hookseal-linux-x64-gnu, …),
//   generated here by `napi create-npm-dirs` from package.json (name, version, os, cpu, libc), with
//   its `hookseal.<platform>.node` inside. Nothing per platform is committed, so nothing drifts.
// - The main package: `npm pack` of this folder, its package.json given `optionalDependencies` on
//   exactly those platform packages at the same version (what `napi pre-publish` adds before a
//   publish). It must hold no `.node`: the loader (binding.js) finds the platform package.
// Every ADDON.node must be named `hookseal.<platform>.node` and match a target; every target needs one.
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { execFileSync } = require('node:child_process')

const PKG_DIR = path.join(__dirname, '..')
const LICENSES = ['LICENSE-MIT', 'LICENSE-APACHE']
const pkg = JSON.parse(fs.readFileSync(path.join(PKG_DIR, 'package.json'), 'utf8'))
const BIN = pkg.napi.binaryName

function die(msg) {
  process.stderr.write(`dist.js: ${msg}\n`)
  process.exit(1)
}

function run(cmd, args, opts = {}) {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], ...opts })
}

// `npm pack DIR` → the tarball's path in OUT.
function pack(dir, out, ignoreScripts) {
  const args = ['pack', dir, '--pack-destination', out, '--silent', '--json']
  if (ignoreScripts) args.push('--ignore-scripts')
  const [info] = JSON.parse(run('npm', args, { cwd: PKG_DIR }))
  return path.join(out, info.filename)
}

function main() {
  const [outArg, ...addons] = process.argv.slice(2)
  if (!outArg || addons.length === 0) die('usage: node scripts/dist.js OUT_DIR ADDON.node...')
  const out = path.resolve(outArg)
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'hookseal-dist-'))
  try {
    // Platform packages, generated from package.json into the stage.
    fs.writeFileSync(path.join(stage, 'package.json'), JSON.stringify(pkg, null, 2))
    run('npx', ['--no-install', 'napi', 'create-npm-dirs', '--cwd', stage, '--npm-dir', 'npm'], { cwd: PKG_DIR })
    const platforms = fs.readdirSync(path.join(stage, 'npm')).sort()
    if (platforms.length !== pkg.napi.targets.length) die(`napi made ${platforms} for targets ${pkg.napi.targets}`)
    const given = new Map(addons.map((a) => [path.basename(a), path.resolve(a)]))
    for (const platform of platforms) {
      const file = `${BIN}.${platform}.node`
      const src = given.get(file)
      if (!src) die(`no ${file} given (targets: ${pkg.napi.targets.join(', ')})`)
      if (!fs.existsSync(src)) die(`${src} does not exist`)
      fs.copyFileSync(src, path.join(stage, 'npm', platform, file))
      given.delete(file)
    }
    if (given.size) die(`not a napi target of package.json: ${[...given.keys()].join(', ')}`)

    // The main package: packed as `npm pack` makes it (prepack runs), then given optionalDependencies.
    const mainDir = path.join(stage, 'main')
    fs.mkdirSync(mainDir)
    const packed = pack(PKG_DIR, mainDir, false)
    run('tar', ['-xzf', packed, '-C', mainDir])
    fs.rmSync(packed)
    const nodeFiles = run('find', [mainDir, '-name', '*.node']).trim()
    if (nodeFiles) die(`the main package must hold no .node file (package.json "files"):\n${nodeFiles}`)
    const mainJsonPath = path.join(mainDir, 'package', 'package.json')
    const mainJson = JSON.parse(fs.readFileSync(mainJsonPath, 'utf8'))
    mainJson.optionalDependencies = Object.fromEntries(platforms.map((p) => [`${pkg.name}-${p}`, pkg.version]))
    fs.writeFileSync(mainJsonPath, JSON.stringify(mainJson, null, 2) + '\n')

    // The licence texts (MIT OR Apache-2.0), in every tarball: `npm pack` skips the symlinks the
    // crates use, so they are copied from the repository's root here.
    for (const dir of [path.join(mainDir, 'package'), ...platforms.map((p) => path.join(stage, 'npm', p))]) {
      for (const f of LICENSES) fs.copyFileSync(path.join(PKG_DIR, '..', f), path.join(dir, f))
      // npm adds LICENSE files by itself only under names like LICENSE or LICENSE.md.
      const jsonPath = path.join(dir, 'package.json')
      const json = JSON.parse(fs.readFileSync(jsonPath, 'utf8'))
      if (Array.isArray(json.files)) json.files = [...new Set([...json.files, ...LICENSES])]
      fs.writeFileSync(jsonPath, JSON.stringify(json, null, 2) + '\n')
    }

    fs.mkdirSync(out, { recursive: true })
    for (const f of fs.readdirSync(out)) if (f.endsWith('.tgz')) fs.rmSync(path.join(out, f))
    const written = [pack(path.join(mainDir, 'package'), out, true)]
    for (const platform of platforms) written.push(pack(path.join(stage, 'npm', platform), out, true))
    for (const f of written) process.stdout.write(`${path.relative(process.cwd(), f)}  ${fs.statSync(f).size} bytes\n`)
  } finally {
    fs.rmSync(stage, { recursive: true, force: true })
  }
}

main()
