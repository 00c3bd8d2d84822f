// ESM view of the hookseal types (the ESM entries: index.mjs on Node, js/api.mjs elsewhere): the
// same declarations as ./index.d.ts, which TypeScript reads as CommonJS beside index.js.
export * from './index.js'
