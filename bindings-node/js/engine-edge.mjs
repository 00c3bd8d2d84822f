// The engine on Vercel Edge / Next.js `runtime = 'edge'` (export condition `edge-light`): the
// WebAssembly build, imported as a module with Next's `?module` suffix (compiled at build time;
// edge platforms may refuse to compile WebAssembly from bytes at run time).
import module from '../hookseal.wasm?module'
import { wasmEngine } from './wasm.mjs'

export const engine = wasmEngine(module)
export const backend = 'wasm'
