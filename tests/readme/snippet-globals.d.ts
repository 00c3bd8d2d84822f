// What the README snippets use without defining it: a request handler's own variables. A snippet
// that uses one says so in a comment. Nothing from hookseal is declared here: the snippets import
// it, and it is type-checked against the package's own index.d.ts.
import type { IncomingMessage } from "node:http";

declare global {
  /** The request body exactly as received. */
  const rawBody: string | Uint8Array;
  /** A Node / Vercel request. */
  const req: IncomingMessage;
}
