'use strict'
// POST /api/action — the Hasura Action `greet(name)`, guarded by the shared-secret header
// ACTION_SECRET that Hasura adds (configured in the Action's headers). withHasuraAction checks
// the secret and the payload; a thrown hasuraActionError reaches the GraphQL client.
const { withHasuraAction, hasuraActionError } = require('hookseal')

module.exports = withHasuraAction(
  async (req) => {
    const { action, input } = req.hasura
    if (action.name !== 'greet') throw hasuraActionError(`unknown action ${action.name}`, 'not_found', 404)
    const name = input.name
    if (typeof name !== 'string' || name === '') throw hasuraActionError('name is required', 'bad_input')
    return { greeting: `Hello, ${name}!` }
  },
  { header: 'ACTION_SECRET', secret: process.env.HASURA_ACTION_SECRET },
)
