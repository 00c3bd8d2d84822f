// The engine anywhere else that speaks ES modules and fetch (browsers, Deno, other workers): the
// WebAssembly build fetched from beside this file and compiled once, at import (top-level await).
import { wasmEngine } from './wasm.mjs'

const response = await fetch(new URL('../hookseal.wasm', import.meta.url))

export const engine = wasmEngine(await WebAssembly.compile(await response.arrayBuffer()))
export const backend = 'wasm'
