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
  /** VDXP: outgoing documents and status messages of one document, in order (outbox). */
  documentSend: 'document-send',
  /** VDXP: one poll of an agency's received list (repeatable per agency), the agency sync. */
  documentPoll: 'document-poll',
  /** VDXP: webhook deliveries of received documents to the provincial system. */
  documentWebhook: 'document-webhook',
  /** Repeatable maintenance jobs (the blob sweep of the document store). */
  housekeeping: 'housekeeping',
  /** Indicator reports (issue 14): the monthly / quarterly schedules and operator requests. */
  indicatorReports: 'indicator-reports',
  /** The portal spot-check (issue 14): samples synced dossiers and asks DVCQG about them. */
  portalCheck: 'portal-check',
} as const

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES]
