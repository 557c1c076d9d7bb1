import { pino, type LoggerOptions, type Logger, type DestinationStream } from 'pino'
import { maskErrorMessage, maskText, redact } from './pii.js'

type ReqLike = { id?: string; method?: string; url?: string }

/**
 * pino calls `formatters.log` before its own serializers, so request/response
 * objects (whose fields are getters) are reduced here, before masking.
 */
function serialize(obj: Record<string, unknown>): Record<string, unknown> {
  const out = { ...obj }
  const req = obj['req'] as ReqLike | undefined
  if (req && typeof req === 'object') out['req'] = { id: req.id, method: req.method, url: req.url }
  const res = obj['res'] as { statusCode?: number } | undefined
  if (res && typeof res === 'object') out['res'] = { statusCode: res.statusCode }
  return out
}

/**
 * Logger options shared by every role. Every line passes through `redact`, so
 * personal data and secrets are masked wherever a caller puts them (objects,
 * messages, error messages, URLs).
 */
export function loggerOptions(level: string, base: Record<string, unknown> = {}): LoggerOptions {
  return {
    level,
    base: { service: 'lgsp-hub', ...base },
    timestamp: pino.stdTimeFunctions.isoTime,
    messageKey: 'msg',
    // `redact` already reduced every Error to {type, code, message, stack, cause}; pino's own
    // err serializer would re-read it as an error-like object (type "Object", copied keys).
    serializers: { err: (e: unknown) => e },
    formatters: {
      level: (label) => ({ level: label }),
      log: (obj) => redact(serialize(obj)) as Record<string, unknown>,
    },
    hooks: {
      logMethod(args, method) {
        // Mask free-text arguments (the message and its interpolation values).
        const masked = args.map((a) => (typeof a === 'string' ? maskText(a) : a)) as unknown[]
        // pino takes an Error's own message as `msg` when none is given: give a masked one.
        const first = masked[0]
        if (masked.length === 1 && first instanceof Error) masked.push(maskErrorMessage(first))
        else if (masked.length === 1 && first && typeof first === 'object' && 'err' in first && (first as { err: unknown }).err instanceof Error) {
          masked.push(maskErrorMessage((first as { err: Error }).err))
        }
        return method.apply(this, masked as Parameters<typeof method>)
      },
    },
  }
}

export function createLogger(level: string, base: Record<string, unknown> = {}, destination?: DestinationStream): Logger {
  return destination ? pino(loggerOptions(level, base), destination) : pino(loggerOptions(level, base))
}

export type { Logger }
