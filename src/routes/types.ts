import type { FastifyBaseLogger, FastifyInstance, RawServerDefault } from 'fastify'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { Hub } from '../hub.js'

/*
 * What routes see of the app, in a module of its own: app.ts registers the routes and the
 * routes need the app's type, so neither imports the other for it.
 */
declare module 'fastify' {
  interface FastifyInstance {
    hub: Hub
  }
}

/** The app with TypeBox-typed routes. */
export type HubApp = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger, TypeBoxTypeProvider>
