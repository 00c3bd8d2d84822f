/// <reference types="node" />
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http'

/**
 * A secret as configured: one string (or bytes), or several for rotation. `undefined` (an unset
 * `process.env.X`) type-checks but is a configuration error at run time: `TypeError` at once.
 */
export type SecretInput = string | Uint8Array | EnvSecret | ReadonlyArray<string | Uint8Array | EnvSecret | undefined> | undefined

/** A secret named by its environment variable ({@link fromEnv}). */
export interface EnvSecret {
  /** The variable's name. */
  readonly name: string
}

/**
 * The secret held by the environment variable `name`, read when needed, so that hookseal can name
 * the variable when it is not set. A wrapper built while `next build` evaluates route modules
 * without the secret reads it again on each request; a request that finds it still missing gets
 * 500 `not_configured` naming the variable (never accepted unverified). Outside `next build` a
 * missing secret is a `TypeError` at once.
 */
export declare function fromEnv(name: string): EnvSecret

/** Which engine runs this package: the native addon (`native`) or the WebAssembly build (`wasm`). */
export declare const backend: 'native' | 'wasm'
/**
 * Which HMAC-SHA256 runs: `sync` for the drop-in and `verify`, `async` for the wrappers. `'native'`
 * (the addon), `'node:crypto'` / `'webcrypto'` (the host's own, over the envelope the WebAssembly
 * engine builds) or `'wasm'` (the core's, in WebAssembly: a sync call outside Node).
 */
export declare const hmac: {
  readonly sync: 'native' | 'node:crypto' | 'wasm'
  readonly async: 'native' | 'node:crypto' | 'webcrypto' | 'wasm'
}

/** Anything that carries request headers: Node's `IncomingHttpHeaders`, a Fetch `Headers`, a plain object or a Map. */
export type HeadersLike =
  | IncomingHttpHeaders
  | Headers
  | Readonly<Record<string, string | readonly string[] | undefined>>
  | ReadonlyMap<string, string | readonly string[]>

/** The stable error codes (contract §4). */
export type VerificationErrorCode =
  | 'missing_signature'
  | 'malformed_signature'
  | 'malformed_body'
  | 'signature_mismatch'
  | 'environment_not_allowed'
  | 'timestamp_too_old'
  | 'timestamp_in_future'
  | 'replayed'
  | 'malformed_payload'
  | 'missing_secret'
  | 'secret_mismatch'

/**
 * A delivery failed verification; `code` is stable across hookseal's faces. The message never
 * holds a secret, a MAC or the body.
 */
export declare class WebhookVerificationError extends Error {
  constructor(code: VerificationErrorCode, message: string)
  /** Why verification failed. */
  readonly code: VerificationErrorCode
}

/** The replay store (Redis) could not be reached; wrappers answer 503 and nothing runs unguarded. */
export declare class ReplayStoreError extends Error {
  constructor(message: string, cause?: unknown)
  /** Always `replay_store_unavailable`. */
  readonly code: 'replay_store_unavailable'
}

/** Options of the drop-in {@link verifyWebhookSignature} (the `@hygraph/utils` shape). */
export interface VerifyWebhookSignatureOptions {
  /** The parsed body; used (as `JSON.stringify(body)`) only when `rawPayload` is empty or absent. */
  body?: unknown
  /** The `gcms-signature` header; anything but a string gives `false`. */
  signature?: string | string[] | null
  /** The webhook's secret key. Missing or empty → `TypeError`. */
  secret: string | undefined
  /** The raw body as received (preferred over `body`). */
  rawPayload?: string | Uint8Array
}

/**
 * Drop-in replacement for `@hygraph/utils` `verifyWebhookSignature`: the same answer on every
 * input where the reference returns one, except that Hygraph's HTML-escaped rich-text bodies
 * also verify. Constant time; a bad header gives `false`, never a throw.
 * @throws {TypeError} when `secret` is missing or empty
 */
export declare function verifyWebhookSignature(options: VerifyWebhookSignatureOptions): boolean

/** Options of the drop-in {@link generateWebhookSignature}. */
export interface GenerateWebhookSignatureOptions {
  /** The parsed body; used when `rawPayload` is empty or absent. */
  body?: unknown
  /** Environment name; default `"master"`. */
  environmentName?: string
  /** The secret key. */
  secret: string | undefined
  /** The raw body text. */
  rawPayload?: string | Uint8Array
  /** `t` in milliseconds; default `Date.now()`. */
  timestamp?: number
}

/**
 * Drop-in replacement for `@hygraph/utils` `generateWebhookSignature`:
 * `sign=<base64>, env=<environment>, t=<ms>`.
 * @throws {TypeError} when `secret` is missing or empty
 */
export declare function generateWebhookSignature(options: GenerateWebhookSignatureOptions): string

/** Options of the strict {@link verify}. */
export interface VerifyOptions {
  /** One secret or a list (rotation). Missing/empty → `TypeError`. */
  secret: SecretInput
  /** Window in seconds, both directions; `null` turns it off. Default 300. */
  tolerance?: number | null
  /** The current time: ms since the epoch or a `Date`. Default `Date.now()`. */
  now?: number | Date
  /** Only these environments pass. */
  environments?: readonly string[]
}

/** A delivery that passed every check. */
export interface Verified {
  /** The environment named in the header. */
  environment: string
  /** `t` from the header, ms since the epoch. */
  timestamp: number
  /** Which configured secret matched. */
  secretIndex: number
}

/** The raw body as received. */
export type RawBody = string | Uint8Array | ArrayBuffer | ArrayBufferView

/**
 * Strict verification (what the README recommends): the raw body, the `gcms-signature` header,
 * a time window and one or more secrets. `signature` may be Node's `req.headers["gcms-signature"]`
 * as it is: a header given more than once (an array) fails as `malformed_signature`.
 * @throws {WebhookVerificationError} on a failed delivery
 * @throws {TypeError | RangeError} on a configuration mistake
 */
export declare function verify(rawBody: RawBody, signature: string | readonly string[] | null | undefined, options: VerifyOptions): Verified

/** Options of {@link sign}. */
export interface SignOptions {
  /** The secret key. */
  secret: string
  /** Environment name; default `"master"`. */
  environment?: string
  /** `t` in ms; default `Date.now()`. */
  timestamp?: number
}

/** The `gcms-signature` header Hygraph would send for `body` (the raw text). For tests and tools. */
export declare function sign(body: string, options: SignOptions): string

/** Options of the shared-secret check. */
export interface SharedSecretOptions {
  /** The header name, any case (e.g. `"ACTION_SECRET"`). */
  header: string
  /** One secret or a list. Missing/empty → `TypeError`. */
  secret: SecretInput
}

/**
 * Checks a shared-secret header (Hasura Actions, Event Triggers) in constant time. A header given
 * more than once fails.
 * @throws {TypeError} on a missing or empty configured secret
 */
export declare function verifySharedSecret(headers: HeadersLike, options: SharedSecretOptions): boolean

/**
 * Like {@link verifySharedSecret}, but throws `WebhookVerificationError` (`missing_secret` /
 * `secret_mismatch`).
 */
export declare function assertSharedSecret(headers: HeadersLike, options: SharedSecretOptions): void

/** The state of a delivery in a replay guard. */
export type ClaimState = 'new' | 'in_progress' | 'done'

/**
 * A replay guard (contract §5): claim → complete or release. Every call carries the claim's
 * `token` (random, fresh for every claim: {@link newClaimToken}); `release` must delete the key
 * only while it holds that token. A guard written before tokens (no `token` read) keeps working.
 */
export interface ReplayGuard {
  /** `memory` or `redis`. */
  readonly kind: string
  /** How long a claim lives unless it is settled first (default 300 000 ms). */
  readonly processingTtlMs: number
  /** Claims a delivery key for the holder of `token`. */
  claim(key: string, options: { token: string; processingTtlMs?: number }): Promise<ClaimState>
  /** Marks the delivery handled, whatever the key holds, remembered for `doneTtlMs`. */
  complete(key: string, options: { token: string; doneTtlMs?: number }): Promise<boolean | void>
  /** Forgets the claim of `token` (the handler failed; the sender's retry must be processed). */
  release(key: string, options: { token: string }): Promise<boolean | void>
}

/** The built-in guards: `complete` and `release` tell whether the key still held the claim of `token`. */
export interface TokenReplayGuard extends ReplayGuard {
  /** `true` if the claim of `token` was still live (`false`: the handler outlived it). */
  complete(key: string, options: { token: string; doneTtlMs?: number }): Promise<boolean>
  /** `true` if the claim of `token` was deleted. */
  release(key: string, options: { token: string }): Promise<boolean>
}

/** The in-memory guard; `size` is the number of keys held. */
export interface MemoryReplayGuard extends TokenReplayGuard {
  /** Keys held. */
  readonly size: number
}

/** A fresh claim token: 128 random bits from Web Crypto. */
export declare function newClaimToken(): string

/**
 * The in-memory replay guard of the core: bounded (oldest evicted first) and expiring. It remembers
 * deliveries in this process only: with several processes or instances (cluster workers, several
 * serverless instances) a copy reaching another one gets through; use `createRedisReplayGuard`.
 * @param options `maxEntries` default 100 000; `processingTtlMs` default 300 000
 */
export declare function createMemoryReplayGuard(options?: { maxEntries?: number; processingTtlMs?: number }): MemoryReplayGuard

/** What the Redis guard needs of a client: ioredis (`call`) or node-redis v4+ (`sendCommand`). */
export type RedisClientLike =
  | { call(...args: string[]): Promise<unknown> }
  | { sendCommand(args: string[]): Promise<unknown> }

/**
 * A replay guard on Redis through your own ioredis or node-redis client. Keys under
 * `hookseal:replay:` (or `prefix`); each call is one Lua script from the core. Redis errors or
 * timeouts fail closed.
 */
export declare function createRedisReplayGuard(
  client: RedisClientLike,
  options?: { prefix?: string; processingTtlMs?: number; timeoutMs?: number },
): TokenReplayGuard

/** Options of {@link withHygraphSignature}. */
export interface HygraphSignatureOptions {
  /** One secret or a list (rotation). */
  secret: SecretInput
  /** Window in seconds; `null` turns it off. Default 300. */
  tolerance?: number | null
  /** Only these environments pass. */
  environments?: readonly string[]
  /** A replay guard: duplicates get 409 (processing) or 200 `{"duplicate":true}` (done). */
  replay?: ReplayGuard
  /**
   * What makes two requests one delivery for `replay`: `'signature'` (default: the header's
   * `sign`, so a copy of the same signed request) or `'body'` (sha256 of the environment and the
   * raw body: also a retry the sender signed again; two identical bodies inside the done TTL
   * count as one delivery).
   */
  replayKey?: 'signature' | 'body'
}

/** A Node request after {@link withHygraphSignature} read it. */
export interface VerifiedIncomingMessage extends IncomingMessage {
  /** The raw body, when the wrapper read it from the stream. */
  rawBody?: Buffer
  /** The parsed JSON body (or the text when it is not JSON). */
  body?: unknown
  /** What verification found (always set when the handler runs). */
  hookseal: Verified
}

/** A Node/Vercel handler. */
export type NodeHandler<Req extends IncomingMessage = VerifiedIncomingMessage, Res extends ServerResponse = ServerResponse> = (
  req: Req,
  res: Res,
) => unknown
/** A Fetch handler (Next.js App Router); the wrapper passes what verification found second. */
export type FetchHandler<C = unknown> = (request: Request, context: C) => Response | Promise<Response>

/**
 * Wraps a Fetch `(request, verified) => Response` handler (Next.js App Router, Edge, Workers) or a
 * Node/Vercel `(req, res)` handler so it runs only for genuine Hygraph deliveries; otherwise 401
 * `{"message","extensions":{"code"}}`. Configuration mistakes throw here, before any request.
 *
 * An unannotated handler is typed as a Fetch handler (TypeScript fixes the parameter types of an
 * unannotated callback from the first overload); annotate a Node handler's parameters, e.g.
 * `(req: VerifiedIncomingMessage, res: ServerResponse) => …`.
 */
export declare function withHygraphSignature(
  handler: (request: Request, verified: Verified) => Response | Promise<Response>,
  options: HygraphSignatureOptions,
): (request: Request, context?: unknown) => Promise<Response>
export declare function withHygraphSignature<Req extends IncomingMessage, Res extends ServerResponse>(
  handler: (req: Req & VerifiedIncomingMessage, res: Res) => unknown,
  options: HygraphSignatureOptions,
): (req: Req, res: Res) => Promise<unknown>

/**
 * Wraps a Fetch or a `(req, res)` handler so it runs only when the shared-secret header holds a
 * configured secret; otherwise 401 in Hasura's error shape. As for {@link withHygraphSignature},
 * an unannotated handler is typed as a Fetch handler.
 */
export declare function withSharedSecret<C>(
  handler: (request: Request, context: C) => Response | Promise<Response>,
  options: SharedSecretOptions,
): (request: Request, context: C) => Response | Promise<Response>
export declare function withSharedSecret<Req extends IncomingMessage, Res extends ServerResponse>(
  handler: (req: Req, res: Res) => unknown,
  options: SharedSecretOptions,
): (req: Req, res: Res) => unknown

/** Hasura's error body. */
export interface HasuraErrorBody {
  /** For people. */
  message: string
  /** Machine-readable code (and, for an action error, any further keys). */
  extensions: { code: string; [key: string]: unknown }
}

/**
 * The error an Action handler throws (or returns): Hasura hands its 4xx
 * `{"message","extensions":{"code",...}}` to the GraphQL client as it is.
 */
export declare class HasuraActionError extends Error {
  /** @param status a 4xx (default 400; a 5xx reaches the client as Hasura's generic "internal error") */
  constructor(message: string, code: string, status?: number, extensions?: Record<string, unknown>)
  /** The `extensions.code`. */
  readonly code: string
  /** HTTP status (400 by default). */
  readonly status: number
  /** The body as an object. */
  readonly body: HasuraErrorBody
  /** The body as JSON text. */
  readonly text: string
  /** As a Fetch Response. */
  toResponse(): Response
  /** Writes it to a Node response. */
  send(res: ServerResponse): void
}

/**
 * The error an Action handler throws or returns: `{"message","extensions":{"code", ...extensions}}`
 * with `status` (default 400).
 */
export declare function hasuraActionError(message: string, code: string, status?: number, extensions?: Record<string, unknown>): HasuraActionError

/** Session variables of an auth-webhook answer; `role` is required. */
export type HasuraSession = { role: string } & Record<string, string | number | boolean>

/**
 * The body of a Hasura auth-webhook answer: `X-Hasura-*` keys (all values strings) plus
 * `Cache-Control: max-age=N` or `Expires`. Keep `maxAge` shorter than the user's token life.
 * @throws {TypeError} without a role, or with a bad variable name
 */
export declare function hasuraAuthResponse(
  session: HasuraSession,
  options?: { maxAge?: number; expires?: Date | number },
): Record<string, string>

/** A Hasura Action payload. */
export interface HasuraActionPayload<I = Record<string, unknown>> {
  /** The action called. */
  action: { name: string }
  /** Its arguments. */
  input: I
  /** The caller's session variables. */
  session_variables: Record<string, string>
  /** The GraphQL query, when Hasura forwards it. */
  request_query?: string | null
}

/** A Hasura Event Trigger payload. */
export interface HasuraEventPayload<Row = Record<string, unknown>> {
  /** The event. */
  event: {
    op: 'INSERT' | 'UPDATE' | 'DELETE' | 'MANUAL'
    data: { old: Row | null; new: Row | null }
    session_variables?: Record<string, string> | null
    trace_context?: unknown
  }
  /** Event id. */
  id: string
  /** The table. */
  table: { schema: string; name: string }
  /** The trigger. */
  trigger: { name: string }
  /** When it was created. */
  created_at?: string
  /** Delivery info. */
  delivery_info?: { max_retries: number; current_retry: number }
}

/**
 * Checks and returns a Hasura Action payload.
 * @throws {WebhookVerificationError} `malformed_payload`
 */
export declare function parseHasuraAction<I = Record<string, unknown>>(body: string | Uint8Array | object): HasuraActionPayload<I>

/**
 * Checks and returns a Hasura Event Trigger payload.
 * @throws {WebhookVerificationError} `malformed_payload`
 */
export declare function parseHasuraEvent<Row = Record<string, unknown>>(body: string | Uint8Array | object): HasuraEventPayload<Row>

/** `gcms-signature`. */
export declare const HEADER: 'gcms-signature'
/** `hookseal:replay:`. */
export declare const REPLAY_KEY_PREFIX: string

/** A Hasura scheduled event (cron or one-off) payload. */
export interface HasuraScheduledPayload<P = unknown> {
  /** Event id, the same on every retry. */
  id: string
  /** The cron trigger's name (cron events only). */
  name?: string
  /** When it was scheduled (ISO 8601). */
  scheduled_time: string
  /** The configured payload, or null. */
  payload: P
  /** The comment, when set. */
  comment?: string | null
  /** When it was created (one-off events). */
  created_at?: string
}

/** A delivery as {@link withHasuraEvent} hands it over: the payload plus `kind` and `id`. */
export type HasuraDelivery<Row = Record<string, unknown>, P = unknown> =
  | (HasuraEventPayload<Row> & { kind: 'event'; id: string })
  | (HasuraScheduledPayload<P> & { kind: 'scheduled'; id: string })

/**
 * Checks a Hasura Event Trigger or scheduled-event delivery and returns it with `kind` and `id`.
 * @throws {WebhookVerificationError} `malformed_payload`
 */
export declare function parseHasuraDelivery<Row = Record<string, unknown>, P = unknown>(
  body: string | Uint8Array | object,
): HasuraDelivery<Row, P>

// ---------------------------------------------------------------------------------------------
// The receiver (framework-neutral) and the Hasura wrappers

/** What a framework adapter hands a receiver. */
export interface ReceiverRequest {
  /** HTTP method (`GET`, `POST`); used by the auth receiver. */
  method?: string
  /** The request headers: Fetch `Headers`, Node's `IncomingHttpHeaders`, a plain object (any case) or a Map. */
  headers: HeadersLike
  /**
   * The raw body as received (string or bytes). A body a framework already parsed may be given
   * as the object: it is checked as its `JSON.stringify` (the drop-in path).
   */
  body?: RawBody | object | null
}

/** What an adapter sends: status, headers (lower-case names), body text (`''`: none). */
export interface ReceiverAnswer {
  status: number
  headers: Record<string, string>
  body: string
}

/** A request the receiver admitted: run the route with `value`, then settle. */
export interface Admission<V> {
  /** What was verified / parsed (see each kind). */
  readonly value: V
  /** The route wrote its own answer with `status`: completes (2xx) or releases the replay claim. */
  settle(status: number): Promise<void>
  /**
   * The route returned `result` (a Fetch Response, an action error, a JSON value, `undefined`;
   * for `hasuraAuth` what `resolve` returned): the answer to send, the claim settled by its status.
   */
  reply(result: unknown): Promise<ReceiverAnswer>
  /** The route threw: the answer to send (500 `handler_failed`, or an action error's 4xx); logged; claim released. */
  fail(error: unknown): Promise<ReceiverAnswer>
}

/** A framework-neutral receiver: `admit` + `settle`/`reply`/`fail`, or `run` for both phases. */
export interface Receiver<V> {
  /** The kind it was made for. */
  readonly kind: ReceiverKind
  /** Whether `admit` reads `body` (false: the shared-secret kind). */
  readonly needsBody: boolean
  /** `{ answer }`: send it (a failed check, a duplicate, ...); else the admission. */
  admit(request: ReceiverRequest): Promise<{ answer: ReceiverAnswer } | (Admission<V> & { answer?: undefined })>
  /** Admits, runs `invoke(value)`, and resolves to the answer to send. */
  run(request: ReceiverRequest, invoke: (value: V) => unknown): Promise<ReceiverAnswer>
}

/** The receiver kinds, named after their wrappers. */
export type ReceiverKind = 'hygraph' | 'sharedSecret' | 'hasuraEvent' | 'hasuraAction' | 'hasuraAuth'

/** A framework-neutral receiver; `options` are those of the matching `with*` wrapper. */
export declare function createReceiver(kind: 'hygraph', options: HygraphSignatureOptions): Receiver<Verified>
export declare function createReceiver(kind: 'sharedSecret', options: SharedSecretOptions): Receiver<undefined>
export declare function createReceiver(kind: 'hasuraEvent', options: HasuraEventOptions): Receiver<HasuraDelivery>
export declare function createReceiver(kind: 'hasuraAction', options: SharedSecretOptions): Receiver<HasuraActionPayload>
export declare function createReceiver(kind: 'hasuraAuth', options?: HasuraAuthOptions): Receiver<HasuraAuthRequest>

/** An answer as a Fetch Response. */
export declare function answerResponse(answer: ReceiverAnswer): Response
/** Writes an answer to a Node response (nothing when one was already sent). */
export declare function sendAnswer(res: ServerResponse, answer: ReceiverAnswer): void

/** Options of {@link withHasuraEvent}. */
export interface HasuraEventOptions extends SharedSecretOptions {
  /** A replay guard keyed by the delivery's `id`: each delivery runs once. */
  replay?: ReplayGuard
  /** `Retry-After` seconds on 409 (a copy still running) and 503 (store down). Default 10. */
  retryAfter?: number
  /** How long a handled delivery is remembered, seconds. Default 604 800 (7 days). */
  doneTtl?: number
}

/** A Node request after {@link withHasuraEvent} / {@link withHasuraAction} read it. */
export interface HasuraIncomingMessage<V> extends IncomingMessage {
  /** The raw body, when the wrapper read it from the stream. */
  rawBody?: Buffer
  /** The parsed JSON body. */
  body?: unknown
  /** The delivery / action. */
  hasura: V
}

/**
 * Hasura Event Trigger and scheduled deliveries, run once (see the docs). The handler gets the
 * delivery second (Fetch) or as `req.hasura` (Node). A returned Response or 2xx completes the
 * claim; a non-2xx releases it; a throw releases it and answers 500 `handler_failed`. A returned
 * plain value is sent as 200 JSON, `undefined` as 204.
 */
export declare function withHasuraEvent(
  handler: (request: Request, delivery: HasuraDelivery) => unknown,
  options: HasuraEventOptions,
): (request: Request, context?: unknown) => Promise<Response>
export declare function withHasuraEvent<Req extends IncomingMessage, Res extends ServerResponse>(
  handler: (req: Req & HasuraIncomingMessage<HasuraDelivery>, res: Res) => unknown,
  options: HasuraEventOptions,
): (req: Req, res: Res) => Promise<unknown>

/**
 * Hasura Actions: the handler gets the action second (Fetch) or as `req.hasura` (Node); returns
 * the output (200 JSON) or a Response, or throws `hasuraActionError(...)` (its 4xx); any other
 * throw → 500 `handler_failed`, logged.
 */
export declare function withHasuraAction<I = Record<string, unknown>>(
  handler: (request: Request, action: HasuraActionPayload<I>) => unknown,
  options: SharedSecretOptions,
): (request: Request, context?: unknown) => Promise<Response>
export declare function withHasuraAction<Req extends IncomingMessage, Res extends ServerResponse, I = Record<string, unknown>>(
  handler: (req: Req & HasuraIncomingMessage<HasuraActionPayload<I>>, res: Res) => unknown,
  options: SharedSecretOptions,
): (req: Req, res: Res) => Promise<unknown>

/** What `resolve` gets. */
export interface HasuraAuthRequest {
  /** `GET` or `POST`. */
  method: string
  /** The client's headers (GET: the request's; POST: the body's `headers`), case-insensitive. */
  headers: Headers
  /** v2 POST: the GraphQL request (`query`, `variables`, `operationName`), else null. */
  request: unknown
}

/** What `resolve` returns to allow: the session and its lifetime. */
export interface HasuraAuthGrant {
  /** Session variables; `role` required (v2: values become strings; DDN: JSON kept). */
  session: Record<string, unknown>
  /** Cache lifetime in seconds (default: the option `maxAge`). */
  maxAge?: number
  /** When the credential expires: epoch seconds or a Date; the lifetime never goes past it. */
  expiresAt?: number | Date
}

/** The receiver-side cache of auth answers. */
export interface HasuraAuthCacheOptions {
  /** `'memory'` (default), an ioredis / node-redis client, or a `{ get, set }` store. */
  store?: 'memory' | RedisClientLike | { get(key: string): unknown; set(key: string, value: string, ttlMs: number): unknown }
  /** The headers whose values key the cache. Default `['authorization', 'cookie']`. */
  headers?: readonly string[]
  /** Cache 401s too: `true` (10 s) or seconds. Default false. */
  cacheDenials?: boolean | number
  /** Redis key prefix. Default `hookseal:`. */
  prefix?: string
  /** Memory store bound. Default 10 000. */
  maxEntries?: number
  /** Redis timeout in ms (a slow store is a miss). Default 1000. */
  timeoutMs?: number
}

/** Options of {@link withHasuraAuth}. */
export interface HasuraAuthOptions {
  /** `'v2'` (default) or `'ddn'`. */
  mode?: 'v2' | 'ddn'
  /** Default cache lifetime in seconds of an allowed answer. */
  maxAge?: number
  /** Keep allowed answers on the receiver side, never longer than their lifetime. */
  cache?: HasuraAuthCacheOptions | 'memory'
  /** The clock, ms since the epoch (tests). Default `Date.now`. */
  now?: () => number
}

/** The resolve function of {@link withHasuraAuth}: null (or undefined) denies. */
export type HasuraAuthResolve = (auth: HasuraAuthRequest) => HasuraAuthGrant | null | undefined | Promise<HasuraAuthGrant | null | undefined>

/**
 * A Hasura auth webhook, v2 or DDN, GET or POST: answers 200 (the session Hasura reads), 401
 * (`resolve` returned null), 500 (`resolve` threw: `handler_failed`; a session that cannot be
 * written: `invalid_session`), or 400 for a malformed POST body. Works as a Fetch handler and as
 * a Node `(req, res)` handler.
 */
export declare function withHasuraAuth(
  resolve: HasuraAuthResolve,
  options?: HasuraAuthOptions,
): {
  (request: Request, context?: unknown): Promise<Response>
  (req: IncomingMessage, res: ServerResponse): Promise<void>
}
