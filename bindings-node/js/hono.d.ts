// Types of `hookseal/hono`: Hono middleware over hookseal's receiver (types from Hono 4, which a
// user of this entry has installed; the module itself imports nothing from it).
import type { Context, MiddlewareHandler } from 'hono'
import type {
  HygraphSignatureOptions,
  SharedSecretOptions,
  HasuraEventOptions,
  HasuraAuthOptions,
  HasuraAuthRequest,
  HasuraAuthGrant,
  HasuraDelivery,
  HasuraActionPayload,
  Verified,
} from '../index.js'

/** Hono's `Env` of a route behind a hookseal middleware: `c.get('hookseal')` is typed. */
export type HooksealEnv<V> = { Variables: { hookseal: V } }

/** A Hono middleware that leaves what it verified in `c.get('hookseal')`. */
export type HooksealMiddleware<V> = MiddlewareHandler<HooksealEnv<V>>

/**
 * Options, or a function of the context that gives them, called once on the first request (on
 * Cloudflare Workers the secrets arrive in `c.env`).
 */
export type OptionsOf<O> = O | ((c: Context<any>) => O)

/** Hygraph's `gcms-signature` (strict): `c.get('hookseal')` is `{ environment, timestamp, secretIndex }`. */
export declare function hygraphSignature(options: OptionsOf<HygraphSignatureOptions>): HooksealMiddleware<Verified>
/** A shared-secret header (Hasura Actions, Event Triggers). */
export declare function sharedSecret(options: OptionsOf<SharedSecretOptions>): HooksealMiddleware<undefined>
/** Hasura Event Trigger / scheduled deliveries, run once with `replay`: `c.get('hookseal')` is the delivery. */
export declare function hasuraEvent(options: OptionsOf<HasuraEventOptions>): HooksealMiddleware<HasuraDelivery>
/** Hasura Actions: `c.get('hookseal')` is the action; throw `hasuraActionError(...)` for its 4xx. */
export declare function hasuraAction(options: OptionsOf<SharedSecretOptions>): HooksealMiddleware<HasuraActionPayload>
/** A Hasura auth webhook (v2 / DDN, GET / POST): a route handler; `resolve` returns null (401) or a grant (200). */
export declare function hasuraAuth(
  resolve: (auth: HasuraAuthRequest, c: Context<HooksealEnv<HasuraAuthRequest>>) => HasuraAuthGrant | null | undefined | Promise<HasuraAuthGrant | null | undefined>,
  options?: OptionsOf<HasuraAuthOptions>,
): (c: Context<HooksealEnv<HasuraAuthRequest>>) => Promise<Response>
