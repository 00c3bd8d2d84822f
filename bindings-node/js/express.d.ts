// Types of `hookseal/express`.
import type { IncomingMessage } from 'node:http'

/**
 * The `verify` hook of `express.json()` / `express.raw()` / body-parser: keeps the body's bytes in
 * `req.rawBody`, where hookseal's wrappers look first. `app.use(express.json({ verify: keepRawBody }))`
 */
export declare function keepRawBody(req: IncomingMessage & { rawBody?: Buffer }, res: unknown, buf: Buffer, encoding?: string): void
