// ESM view of the hookseal/lambda types (the entry's ESM files): the same declarations as ./lambda.d.ts.
export * from './lambda.js'
