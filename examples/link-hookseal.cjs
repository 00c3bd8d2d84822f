'use strict'
// From a fresh clone of this repository, `hookseal` is not installed in an example: link it
// to ../../bindings-node the way `npm install` links the `file:` dependency in package.json
// (node_modules/hookseal -> bindings-node). In your own app, `npm install hookseal` instead.
const fs = require('node:fs')
const path = require('node:path')

module.exports = function linkHookseal(dir) {
  try {
    require.resolve('hookseal', { paths: [dir] })
    return
  } catch {}
  const nm = path.join(dir, 'node_modules')
  fs.mkdirSync(nm, { recursive: true })
  const target = path.relative(nm, path.join(dir, '..', '..', 'bindings-node'))
  try {
    fs.symlinkSync(target, path.join(nm, 'hookseal'), 'dir')
  } catch (e) {
    if (e.code !== 'EEXIST') throw e
  }
}
