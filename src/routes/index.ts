import type { HubApp } from '../app.js'
import type { Hub } from '../hub.js'

/** Registers the v1 and admin routes of every capability (one line each). */
export async function registerRoutes(_app: HubApp, _hub: Hub): Promise<void> {}
