'use strict'
// POST /api/hasura/action — the Hasura Action `greet(name)`: the handler returns the output, or
// throws hasuraActionError(...) to give the GraphQL client a message; any other error answers
// 500 handler_failed (the message stays in the log, not in the answer).
const { withHasuraAction, hasuraActionError } = require('hookseal')

module.exports = withHasuraAction(
  async (req) => {
    const { action, input } = req.hasura
    if (action.name !== 'greet') throw hasuraActionError(`unknown action ${action.name}`, 'not_found', 404)
    if (typeof input.name !== 'string' || input.name === '') throw hasuraActionError('greet needs a name', 'bad_input')
    if (input.name === 'boom') throw new Error('the greeting service is down') // → 500 handler_failed
    return { greeting: `Hello, ${input.name}!` }
  },
  { header: 'ACTION_SECRET', secret: process.env.HASURA_ACTION_SECRET },
)
