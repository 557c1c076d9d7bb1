import type { FastifyInstance, FastifyReply, FastifyRequest, onSendHookHandler, RouteOptions } from 'fastify'
import type { AuditEntry } from '../../audit/index.js'
import type { Client } from '../../inbound-auth/clients.js'
import { QUEUES_UI_PATH } from './queues.js'

const READ_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS'])

/** Whether a route is an operator action: under /admin and able to change state (any method but GET/HEAD/OPTIONS). */
export function isOperatorAction(method: string | readonly string[], url: string): boolean {
  return url.startsWith('/admin/') && [method].flat().some((m) => !READ_METHODS.has(m.toUpperCase()))
}

/** The audit action of an operator route: its method and route pattern, e.g. `POST /admin/dossiers/:dossierCode/replay`. */
export const operatorAction = (method: string, url: string) => `${method.toUpperCase()} ${url}`

/** The operator role a client acted with: its admin grants (`admin`, `admin:read`, `*`), or `none` (a client with none). */
export function operatorRole(client: Client): string {
  return [...client.services].filter((s) => s === '*' || s === 'admin' || s.startsWith('admin:')).join(',') || 'none'
}

/** Outcome of an operator action from its status: done, refused (4xx: unauthenticated, forbidden, invalid, conflict) or failed. */
export const operatorOutcome = (status: number) => (status < 400 ? 'done' : status < 500 ? 'refused' : 'failed')

/** Path parameters only (dossier code, queue, job id): bodies may hold identifiers (a backfill's owner ids) and are not copied. */
function target(request: FastifyRequest): Record<string, string> {
  const params = (request.params ?? {}) as Record<string, unknown>
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(params)) if (typeof v === 'string') out[k] = v.slice(0, 200)
  return out
}

/**
 * Every operator action is audited (issue 11): each route under /admin with a state-changing
 * method, the queue dashboard's (bull-board) included, gets an `onSend` hook writing one row
 * (client, role, action, target, outcome, status) and waiting for it before the answer goes
 * out; refusals of an authenticated client (403, CSRF, 400, 409) included, 401s not
 * out. Added as an `onRoute` hook of the root, before any admin route is registered, so that
 * no operator route (present or future) escapes it; test/integration/operator-audit.test.ts
 * walks the route table. A failed audit write is logged loudly; the action itself has
 * already happened by then (refusing its answer would only hide that from the operator).
 */
export function auditOperatorActions(app: FastifyInstance, audit: { write(e: AuditEntry): Promise<void> }): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    if (!isOperatorAction(route.method, route.url)) return
    const hook: onSendHookHandler = async (request: FastifyRequest, reply: FastifyReply, payload) => {
      // An unauthenticated caller is no operator: its 401 is counted (auth rejection metrics), not written
      // into an append-only log that anyone on the network could otherwise fill.
      if (!request.client) return payload
      const status = reply.statusCode
      const entry: AuditEntry = {
        clientId: request.client.id,
        requestId: request.id,
        service: route.url.startsWith(QUEUES_UI_PATH) ? 'queues' : 'admin',
        action: operatorAction(request.method, route.url),
        outcome: operatorOutcome(status),
        status,
        latencyMs: reply.elapsedTime,
        detail: { role: operatorRole(request.client), target: target(request) },
      }
      try {
        await audit.write(entry)
      } catch (e) {
        const err = e as Error
        request.log.error(
          { err: { type: err.name, message: String(err.message).slice(0, 200) }, action: entry.action, clientId: entry.clientId },
          'operator action NOT audited: the audit store refused the record',
        )
      }
      return payload
    }
    const existing = route.onSend
    route.onSend = existing === undefined ? [hook] : [...[existing].flat(), hook]
  })
}
