/**
 * Queue names. Job ids and names never contain ':' (BullMQ's key separator) and job
 * data holds references (dossier codes, ids), never citizen data.
 */
export const QUEUES = {
  dossierSync: 'dossier-sync',
  catalogSync: 'catalog-sync',
  catalogFetch: 'catalog-fetch',
  warehouseMirror: 'warehouse-mirror',
  warehousePush: 'warehouse-push',
  webhooks: 'webhooks',
  housekeeping: 'housekeeping',
} as const

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES]
