// Types of `hookseal/lambda`: AWS Lambda handlers (API Gateway REST and HTTP APIs, function URLs)
// over hookseal's receiver. Written without @types/aws-lambda: the event shapes are the parts read.
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

/** An API Gateway REST (payload 1.0), HTTP API (2.0) or function URL (2.0) event: the fields read. */
export interface LambdaHttpEvent {
  version?: string
  httpMethod?: string
  path?: string
  rawPath?: string
  rawQueryString?: string
  headers?: Record<string, string | undefined> | null
  multiValueHeaders?: Record<string, string[] | undefined> | null
  queryStringParameters?: Record<string, string | undefined> | null
  multiValueQueryStringParameters?: Record<string, string[] | undefined> | null
  cookies?: string[]
  requestContext?: { http?: { method: string }; domainName?: string; [key: string]: unknown }
  body?: string | null
  isBase64Encoded?: boolean
  [key: string]: unknown
}

/** The proxy result all three sources accept. */
export interface LambdaProxyResult {
  statusCode: number
  headers?: Record<string, string | number | boolean>
  multiValueHeaders?: Record<string, Array<string | number | boolean>>
  cookies?: string[]
  body?: string
  isBase64Encoded?: boolean
}

/** A Lambda handler made by this module. */
export type LambdaHandler<C = unknown> = (event: LambdaHttpEvent, context: C) => Promise<LambdaProxyResult>

/** The request an event carries: lower-case header names (an array: a 1.0 header sent more than once). */
export declare function lambdaRequest(event: LambdaHttpEvent): {
  method: string
  headers: Record<string, string | string[]>
  body: string | Uint8Array
}

/**
 * What a wrapped handler returns: a proxy result (sent as it is; its status settles the replay
 * claim), a JSON value (200), or nothing (204).
 */
export type LambdaHandlerResult = LambdaProxyResult | unknown

/** Hygraph webhooks: `event.hookseal` = `{ environment, timestamp, secretIndex }`. */
export declare function withHygraphSignature<C = unknown>(
  handler: (event: LambdaHttpEvent & { hookseal: Verified }, context: C) => LambdaHandlerResult | Promise<LambdaHandlerResult>,
  options: HygraphSignatureOptions,
): LambdaHandler<C>
/** A shared-secret header. */
export declare function withSharedSecret<C = unknown>(
  handler: (event: LambdaHttpEvent & { hookseal: undefined }, context: C) => LambdaHandlerResult | Promise<LambdaHandlerResult>,
  options: SharedSecretOptions,
): LambdaHandler<C>
/** Hasura Event Trigger / scheduled deliveries: `event.hookseal` is the delivery; run once with `replay`. */
export declare function withHasuraEvent<C = unknown>(
  handler: (event: LambdaHttpEvent & { hookseal: HasuraDelivery }, context: C) => LambdaHandlerResult | Promise<LambdaHandlerResult>,
  options: HasuraEventOptions,
): LambdaHandler<C>
/** Hasura Actions: `event.hookseal` is the action; return its output, throw `hasuraActionError(...)` for a 4xx. */
export declare function withHasuraAction<C = unknown>(
  handler: (event: LambdaHttpEvent & { hookseal: HasuraActionPayload }, context: C) => LambdaHandlerResult | Promise<LambdaHandlerResult>,
  options: SharedSecretOptions,
): LambdaHandler<C>
/** A Hasura auth webhook: `resolve(auth, event, context)` returns null (401) or a grant (200). */
export declare function withHasuraAuth<C = unknown>(
  resolve: (
    auth: HasuraAuthRequest,
    event: LambdaHttpEvent,
    context: C,
  ) => HasuraAuthGrant | null | undefined | Promise<HasuraAuthGrant | null | undefined>,
  options?: HasuraAuthOptions,
): LambdaHandler<C>
/** Any Fetch handler (e.g. one made by the main entry's wrappers) as a Lambda handler. */
export declare function withLambda<C = unknown>(
  fetchHandler: (request: Request, lambda: { event: LambdaHttpEvent; context: C }) => Response | Promise<Response>,
): LambdaHandler<C>
