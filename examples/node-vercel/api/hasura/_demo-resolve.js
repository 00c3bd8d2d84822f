'use strict'
// (The underscore keeps Vercel from making this file a function of its own.)
// The demo's token check for the auth webhooks: `Bearer demo-token` is user 42 for 60 s;
// `Bearer demo-token.<N>` also expires at N (epoch seconds), so the answer's lifetime is cut to
// it. A real resolve verifies a JWT or looks a session up; anything else here is denied (401).
module.exports = function resolve(auth) {
  const m = /^Bearer demo-token(?:\.(\d+))?$/.exec(auth.headers.get('authorization') || '')
  if (!m) return null
  const grant = { session: { role: 'user', userId: 42 }, maxAge: 60 }
  if (m[1] !== undefined) grant.expiresAt = Number(m[1])
  return grant
}
