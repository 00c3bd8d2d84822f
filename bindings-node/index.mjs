// ESM entry: the same API as the CommonJS entry (one copy of the addon and its state).
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const hookseal = require('./index.js')

export const {
  verifyWebhookSignature,
  generateWebhookSignature,
  verify,
  sign,
  verifySharedSecret,
  assertSharedSecret,
  WebhookVerificationError,
  ReplayStoreError,
  createMemoryReplayGuard,
  newClaimToken,
  createRedisReplayGuard,
  withHygraphSignature,
  withSharedSecret,
  withHasuraEvent,
  withHasuraAction,
  withHasuraAuth,
  createReceiver,
  answerResponse,
  sendAnswer,
  HasuraActionError,
  hasuraActionError,
  hasuraAuthResponse,
  parseHasuraAction,
  parseHasuraEvent,
  parseHasuraDelivery,
  HEADER,
  REPLAY_KEY_PREFIX,
  backend,
  hmac,
  fromEnv,
} = hookseal
export default hookseal
