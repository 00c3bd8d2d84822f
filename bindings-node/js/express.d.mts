// ESM view of the hookseal/express types (the entry's ESM files): the same declarations as ./express.d.ts.
export * from './express.js'
