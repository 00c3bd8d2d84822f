// The engine on Cloudflare Workers (export condition `workerd`): the WebAssembly build imported
// as a module, which wrangler and workerd load as a compiled WebAssembly.Module (workerd refuses
// to compile WebAssembly from bytes at run time).
import module from '../hookseal.wasm'
import { wasmEngine } from './wasm.mjs'

export const engine = wasmEngine(module)
export const backend = 'wasm'
