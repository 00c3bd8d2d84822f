// The shared vectors (tests/fw-cases.mjs) as one Hono app over `hookseal/hono`, built the same
// way in Node (tests/hono.test.js, through @hono/node-server) and under workerd
// (tests-runtimes/hono-workerd.test.js, where this file is bundled into the Worker). Besides the
// case routes it has three test-only routes, used where the test runs in another process:
//   POST /__setup/<case path>   puts the case's replay store in its starting state
//   GET  /__record/<case path>  { record, after }: what the handler got, the store's state after
// and honours `x-hookseal-test-now: <ms>` (the verifier's clock of a strict.json case).

/**
 * @param {{ Hono: any, mw: any, fw: any, cases: any[] }} deps `mw` = hookseal/hono, `fw` = fw-cases.mjs
 */
export function honoApp({ Hono, mw, fw, cases }) {
  const app = new Hono()
  const byPath = new Map(cases.map((c) => [c.path, c]))

  app.use('*', async (c, next) => {
    const now = c.req.header('x-hookseal-test-now')
    if (!now) return next()
    const real = Date.now
    Date.now = () => Number(now)
    try {
      await next()
    } finally {
      Date.now = real
    }
  })
  app.post('/__setup/*', async (c) => {
    const k = byPath.get(c.req.path.slice('/__setup'.length))
    if (!k) return c.text('no such case', 404)
    k.record = {}
    if (k.setup) await k.setup()
    return c.json({ ok: true })
  })
  app.get('/__record/*', async (c) => {
    const k = byPath.get(c.req.path.slice('/__record'.length))
    if (!k) return c.text('no such case', 404)
    return c.json({ record: k.record, after: k.after ? await k.after() : null })
  })

  const out = (ctx, o) => (o.json === undefined ? ctx.body(null, o.status) : ctx.json(o.json, o.status))
  for (const k of cases) {
    switch (k.kind) {
      case 'hygraph':
        app.post(k.path, mw.hygraphSignature(k.options), (ctx) => out(ctx, fw.act(k, k.record, ctx.get('hookseal'))))
        break
      case 'sharedSecret':
        app.post(k.path, mw.sharedSecret(k.options), (ctx) => out(ctx, fw.act(k, k.record)))
        break
      case 'hasuraEvent':
        app.post(k.path, mw.hasuraEvent(k.options), (ctx) => out(ctx, fw.act(k, k.record, ctx.get('hookseal'))))
        break
      case 'hasuraAction':
        app.post(k.path, mw.hasuraAction(k.options), (ctx) => ctx.json(fw.act(k, k.record, ctx.get('hookseal')).value))
        break
      case 'hasuraAuth':
        app.on(['GET', 'POST'], k.path, mw.hasuraAuth((auth) => fw.act(k, k.record, auth).resolved, k.options))
        break
      default:
        throw new Error(k.kind)
    }
  }
  // Hono logs what a route throws (console.error) before the middleware answers for it; the
  // vectors throw on purpose, so keep the log quiet.
  app.onError((err, c) => c.text('Internal Server Error', 500))
  return app
}
