import { fileURLToPath } from 'node:url'
import { isAxiosError } from 'axios'
import { createClientAsync, type Client } from 'soap'
import type { Transport } from '../http/transport.js'
import { checkStatus } from './lookup-kit.js'

/**
 * SOAP over the shared transport: a node-soap client built from the WSDL kept in the
 * repository, whose HTTP requests go through `transport.axios` (auth, keep-alive,
 * TLS, timeout). The connector wraps each call in `transport.execute` and reads the
 * raw reply with its own (pure, quirk-tolerant) mapping, whatever the status.
 */
export interface SoapInvoker {
  /** Calls `operation`; answers the raw reply body (2xx, or a fault/error page with a 4xx status). */
  call(operation: string, args: Record<string, unknown>, signal?: AbortSignal): Promise<string>
}

export function soapInvoker(upstream: string, transport: Transport, wsdl: URL, endpoint: string): SoapInvoker {
  let client: Promise<Client> | undefined
  const getClient = () =>
    (client ??= createClientAsync(fileURLToPath(wsdl), { request: transport.axios as never, endpoint, disableCache: false, returnFault: false }).catch(
      (e: unknown) => {
        client = undefined
        throw e
      },
    ))
  return {
    async call(operation, args, signal) {
      const c = await getClient()
      const method = (c as unknown as Record<string, (a: unknown, o: unknown) => Promise<[unknown, string]>>)[`${operation}Async`]
      if (!method) throw new Error(`${upstream}: the WSDL has no operation ${operation}`)
      try {
        const [, raw] = await method.call(c, args, { signal })
        return typeof raw === 'string' ? raw : String(raw ?? '')
      } catch (e) {
        // No answer (timeout, refused, aborted): the transport normalises it.
        if (isAxiosError(e)) throw e
        const err = e as { response?: { status?: number; data?: unknown; headers?: Record<string, unknown> }; body?: unknown }
        if (!err.response) throw e
        const body = typeof err.body === 'string' ? err.body : typeof err.response.data === 'string' ? err.response.data : ''
        return soapReply(upstream, operation, err.response.status ?? 500, body, err.response.headers ?? {})
      }
    },
  }
}

/** A non-2xx reply: a SOAP fault (HTTP 500) is the mapping's to read; anything else 5xx/429/401 is the upstream failing. */
function soapReply(upstream: string, operation: string, status: number, body: string, headers: Record<string, unknown>): string {
  if (!/<(\w+:)?Fault[\s>]/.test(body)) checkStatus(upstream, operation, status, headers)
  else if (status === 401 || status === 403) checkStatus(upstream, operation, status, {})
  return body
}

/**
 * Posts a SOAP 1.1 envelope built by the connector's mapping (the bytes the XSD tests
 * validate) to `endpoint` with its `SOAPAction`; answers the raw reply body like `call`.
 */
export async function postSoapEnvelope(
  upstream: string,
  transport: Transport,
  endpoint: string,
  operation: string,
  soapAction: string,
  envelope: string,
  signal?: AbortSignal,
): Promise<string> {
  const res = await transport.text({
    method: 'POST',
    url: endpoint,
    body: envelope,
    headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: `"${soapAction}"` },
    signal,
  })
  return res.status >= 200 && res.status < 300 ? res.body : soapReply(upstream, operation, res.status, res.body, res.headers as Record<string, unknown>)
}
