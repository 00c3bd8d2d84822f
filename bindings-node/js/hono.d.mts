// ESM view of the hookseal/hono types (the entry's ESM files): the same declarations as ./hono.d.ts.
export * from './hono.js'
