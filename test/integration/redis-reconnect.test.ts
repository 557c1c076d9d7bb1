import { describe, expect, it } from 'vitest'
import { closeRedis, createRedis } from '../../src/queue/redis.js'
import { REDIS_URL } from '../helpers/config.js'
import { waitFor } from '../helpers/hub.js'

/**
 * ioredis gives a client up ('end') on some paths whatever its retryStrategy says (seen
 * during a Sentinel failover: a reconnect cut short by the failover detector). A hub
 * connection never stays ended unless the hub closed it (closeRedis).
 */
describe('hub Redis connections never stay ended', () => {
  it('an ended connection reconnects by itself; one closed by closeRedis stays closed', async () => {
    const c = createRedis(REDIS_URL, 'producer')
    await waitFor(() => c.status === 'ready', 5000, 20)
    c.disconnect() // ends it, as ioredis does on those paths
    await waitFor(() => c.status === 'end', 2000, 10)
    await waitFor(() => c.status === 'ready', 5000, 50)
    expect(await c.ping()).toBe('PONG')
    await closeRedis(c)
    await new Promise((r) => setTimeout(r, 1500))
    expect(c.status).toBe('end')
  })
})
