'use strict'
// hookseal for Node (CommonJS): the API of js/api.mjs (its generated CommonJS twin) over the
// native addon, or over the WebAssembly build where no native addon loads (js/engine-node.cjs).
module.exports = require('./js/api.cjs')
