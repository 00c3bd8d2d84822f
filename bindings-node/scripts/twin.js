'use strict'
// Writes the CommonJS twin of an ES module of this package (`js/api.mjs` → `js/api.cjs`), so that
// Node's `require('hookseal')` runs the very code the ESM runtimes run. The sources keep to a
// small form, and anything else fails here rather than producing a wrong twin:
//   import { a, b } from 'spec'        → const { a, b } = require('spec')   ('./x.mjs' → './x.cjs')
//   export function|async function|class|const NAME   → the same without `export`
//   export { a, b }                     → (names exported)
//   export default NAME                 → module.exports = NAME (else an object of the names)
// Usage: node scripts/twin.js js/api.mjs js/wasm.mjs
const fs = require('node:fs')

function twin(src, file) {
  const names = []
  let dflt = null
  const out = src.split('\n').map((line, i) => {
    const where = `${file}:${i + 1}`
    let m
    if ((m = /^import \{([^}]*)\} from '([^']+)'$/.exec(line))) {
      const spec = m[2].startsWith('.') ? m[2].replace(/\.mjs$/, '.cjs') : m[2]
      return `const {${m[1].replace(/ as /g, ': ')}} = require('${spec}')`
    }
    if ((m = /^export ((?:async )?function\*? |class |const )([A-Za-z_$][\w$]*)(.*)$/.exec(line))) {
      names.push(m[2])
      return m[1] + m[2] + m[3]
    }
    if ((m = /^export \{([^}]*)\}$/.exec(line))) {
      names.push(...m[1].split(',').map((n) => n.trim()).filter(Boolean))
      return ''
    }
    if ((m = /^export default ([A-Za-z_$][\w$]*)$/.exec(line))) {
      dflt = m[1]
      return ''
    }
    if (/^\s*(import|export)\b/.test(line) || (!/^\s*(\*|\/\/)/.test(line) && /import\.meta|\bimport\(/.test(line))) {
      throw new Error(`${where}: a form scripts/twin.js does not convert: ${line.trim()}`)
    }
    return line
  })
  const tail = dflt ? `module.exports = ${dflt}` : `module.exports = { ${names.join(', ')} }`
  return `'use strict'\n// Generated from ${file} by scripts/twin.js: edit that file, not this one.\n${out.join('\n')}\n${tail}\n`
}

for (const file of process.argv.slice(2)) {
  const target = file.replace(/\.mjs$/, '.cjs')
  if (target === file) throw new Error(`${file}: not an .mjs file`)
  fs.writeFileSync(target, twin(fs.readFileSync(file, 'utf8'), file))
}
