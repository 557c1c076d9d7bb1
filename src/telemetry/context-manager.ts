import { AsyncLocalStorage } from 'node:async_hooks'
import { ROOT_CONTEXT, type Context, type ContextManager } from '@opentelemetry/api'

/**
 * The active OpenTelemetry context kept in an AsyncLocalStorage, so a span started in a
 * request handler or a queue job stays active across its awaits. The same idea as
 * `@opentelemetry/context-async-hooks` (not a dependency of the hub), in the part the hub uses.
 */
export class AsyncLocalStorageContextManager implements ContextManager {
  private readonly storage = new AsyncLocalStorage<Context>()

  active(): Context {
    return this.storage.getStore() ?? ROOT_CONTEXT
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(context: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    return this.storage.run(context, () => fn.apply(thisArg, args))
  }

  /** Binds functions only (the hub never binds event emitters): the call runs in `context`. */
  bind<T>(context: Context, target: T): T {
    if (typeof target !== 'function') return target
    const fn = target as unknown as (...args: unknown[]) => unknown
    const run = (thisArg: unknown, args: unknown[]) => this.with(context, () => fn.apply(thisArg, args))
    return function (this: unknown, ...args: unknown[]) {
      return run(this, args)
    } as unknown as T
  }

  enable(): this {
    return this
  }

  disable(): this {
    this.storage.disable()
    return this
  }
}
