import { Type, type Static } from '@sinclair/typebox'
import { upstreamVars } from './upstream.js'

/**
 * The one source of truth for configuration: a JSON schema (TypeBox) whose keys are
 * the environment variable names. The TypeScript type is derived from it, defaults
 * live here, and README's configuration table is generated from the descriptions
 * (`npm run config:doc`). Fields marked `secret` are never echoed in errors or logs.
 */
const str = (description: string, def: string, extra: Record<string, unknown> = {}) =>
  Type.String({ description, default: def, ...extra })
const int = (description: string, def: number, minimum: number, maximum: number) =>
  Type.Integer({ description, default: def, minimum, maximum })

export const ConfigSchema = Type.Object(
  {
    NODE_ENV: Type.Union([Type.Literal('development'), Type.Literal('production'), Type.Literal('test')], {
      description: 'development | production | test. production refuses the shipped development API keys.',
      default: 'development',
    }),
    HOST: str('Address the API listens on', '127.0.0.1', { minLength: 1 }),
    PORT: int('Port of the API', 8080, 0, 65535),
    LOG_LEVEL: Type.Union(
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
      { description: 'pino log level: fatal | error | warn | info | debug | trace | silent', default: 'info' },
    ),
    REDIS_URL: str('Redis for BullMQ queues, a redis:// or rediss:// URL', 'redis://127.0.0.1:6379', {
      pattern: '^rediss?://[^\\s]+$',
    }),
    QUEUE_PREFIX: str('Key prefix of every BullMQ queue (letters, digits, - and _; no colon)', 'lgsp', {
      pattern: '^[A-Za-z0-9_-]{1,40}$',
    }),
    DATABASE_URL: Type.Optional(
      Type.String({
        description: 'PostgreSQL URL (postgres://…). Unset: embedded PGlite in DATA_DIR (one process only)',
        pattern: '^postgres(ql)?://[^\\s]+$',
        secret: true,
      }),
    ),
    DATABASE_POOL_SIZE: int('Maximum PostgreSQL connections per process', 10, 1, 200),
    DATA_DIR: str('Folder for embedded data (PGlite database, blobs)', './data', { minLength: 1 }),
    BODY_LIMIT_BYTES: int('Largest accepted request body, in bytes', 1_048_576, 1024, 104_857_600),
    // Edge limits (issue 9)
    REQUEST_TIMEOUT_MS: int('Longest time to receive a whole request (headers and body); a slower client gets 408 and is cut', 30_000, 1000, 600_000),
    HEADERS_TIMEOUT_MS: int('Longest time to receive the request headers', 10_000, 500, 120_000),
    KEEP_ALIVE_TIMEOUT_MS: int('An idle keep-alive connection is closed after this long', 5000, 100, 600_000),
    CONNECTION_TIMEOUT_MS: int('Socket idle timeout of an inbound connection (0: none)', 60_000, 0, 3_600_000),
    MAX_HEADER_BYTES: int('Largest request header section, in bytes (431 above)', 16_384, 1024, 1_048_576),
    MAX_URL_LENGTH: int('Longest request target (path and query), in characters (414 above)', 8192, 256, 65_536),
    RATE_LIMIT_PER_MINUTE: int('Requests per minute per API client (a client may set its own rateLimitPerMinute in the clients file); shared across API processes through Redis', 6000, 1, 10_000_000),
    RATE_LIMIT_IP_PER_MINUTE: int('Requests per minute per remote address before authentication (stops key guessing and floods)', 12_000, 1, 10_000_000),
    TRUST_PROXY: str(
      "Reverse proxies in front of the API (comma-separated addresses or CIDRs, or loopback / linklocal / uniquelocal) whose X-Forwarded-For names the caller's address for the per-address limit; empty: the socket's address",
      '',
      { pattern: '^[A-Za-z0-9.:/,]*$' },
    ),
    MAX_EVENT_LOOP_DELAY_MS: int('Event-loop delay above which the API answers 503 with Retry-After (backpressure; 0: off)', 1000, 0, 60_000),
    METRICS_PORT: int('Separate listener for /metrics (0: /metrics on the API port, behind the metrics grant)', 0, 0, 65535),
    METRICS_HOST: str('Address of the separate /metrics listener', '127.0.0.1'),
    DOCS_ENABLED: Type.Union([Type.Literal('auto'), Type.Literal('true'), Type.Literal('false')], {
      description: 'Serve the OpenAPI document and UI at /docs: true | false | auto (on except in production)',
      default: 'auto',
    }),
    UPSTREAM_MAX_REPLY_BYTES: int('Largest reply read from a national system, enforced while streaming (a larger one is a 502)', 4 * 1_048_576, 1024, 1_073_741_824),
    UPSTREAM_MAX_FIELD_CHARS: int('Longest text field accepted in a mapped national reply (a longer one is a 502)', 65_536, 64, 16_777_216),
    BLOB_SWEEP_GRACE_MS: int('A stored file no row references is deleted after this long (orphans of refused uploads)', 3_600_000, 1000, 604_800_000),
    BLOB_SWEEP_INTERVAL_MS: int('How often a worker sweeps unreferenced files (0: never)', 600_000, 0, 86_400_000),
    CLIENTS_FILE: str(
      'JSON file of API clients ({clients:[{id, keySha256, services[]}]}); ignored when CLIENTS_JSON is set',
      'config/clients.dev.json',
    ),
    CLIENTS_JSON: Type.Optional(
      Type.String({ description: 'The clients document inline (same shape as CLIENTS_FILE)', secret: true }),
    ),
    READY_CHECK_TIMEOUT_MS: int('Timeout of each readiness probe (Redis, database, connectors)', 1500, 50, 30_000),
    READY_CACHE_MS: int('How long a readiness result is reused', 2000, 0, 60_000),
    SHUTDOWN_TIMEOUT_MS: int('Longest graceful shutdown before in-flight jobs are released', 8000, 500, 120_000),
    WORKER_CONCURRENCY: int('Jobs one worker process runs at once', 32, 1, 1000),
    UPSTREAM_TIMEOUT_MS: int('Default timeout of a call to a national system', 10_000, 100, 300_000),
    SANDBOX_HOST: str('Address the sandbox (simulated national systems) listens on', '127.0.0.1'),
    SANDBOX_PORT: int('Port of the sandbox', 8090, 0, 65535),
    SANDBOX_SEED: int('Seed of the sandbox data and fault injection', 42, 0, 2 ** 31 - 1),
    CONNECTORS_ENABLED: str('Comma-separated connectors the hub uses and probes in /health/ready (all six by default, each pointing at the sandbox)', 'dvcqg,population,business-registry,tax,bhxh,civil-status', {
      pattern: '^[a-z0-9-]*(,[a-z0-9-]+)*$',
    }),
    DVCQG_BASE_URL: str('Base URL of the national portal (DVCQG) integration API', 'http://127.0.0.1:8090/dvcqg', {
      pattern: '^https?://[^\\s]+$',
    }),
    DVCQG_STYLE: Type.Union([Type.Literal('adapter'), Type.Literal('rest')], {
      description: 'adapter: one URL + session login, operation in the body; rest: one URL per operation',
      default: 'adapter',
    }),
    DVCQG_AUTH_PATH: str('adapter style: login path', '/api/auth/login'),
    DVCQG_INTEGRATION_PATH: str('adapter style: path of dossier operations', '/api/tich-hop'),
    DVCQG_SHARE_PATH: str('adapter style: path of catalog reads', '/api/chia-se'),
    DVCQG_USERNAME: str('DVCQG account', 'sandbox'),
    DVCQG_PASSWORD: str('DVCQG password', 'sandbox', { secret: true }),
    DVCQG_MAX_REPLY_BYTES: int('Largest reply read from DVCQG (warehouse downloads carry whole files), enforced while streaming', 64 * 1_048_576, 1024, 1_073_741_824),
    DVCQG_DSTCODE: str('dstcode header sent to DVCQG', 'H56'),
    DVCQG_UNIT_CODE: str('madonvi: the province unit code', '000.00.00.H56', {
      pattern: '^\\d{3}\\.\\d{2}\\.\\d{2}\\.[A-Z]\\d{2}$',
    }),
    PROCEDURE_CODE_MAP_FILE: Type.Optional(Type.String({ description: 'JSON object mapping local procedure codes to national ones (default: none)' })),
    DOSSIER_BATCH_MS: int('Intake waits this long before draining a dossier, so a burst of its events travels in fewer portal calls (0: at once)', 250, 0, 60_000),
    DOSSIER_LEASE_MS: int('How long a worker holds a dossier while delivering (renewed per event)', 30_000, 1000, 600_000),
    RECONCILE_INTERVAL_MS: int('How often workers look for dossiers with undelivered events and no job', 5000, 200, 600_000),
    RECONCILE_GRACE_MS: int('A dossier untouched this long with undelivered events is re-enqueued', 10_000, 0, 3_600_000),
    RETRY_BASE_MS: int('First retry delay of a failed delivery (doubles each attempt, with jitter)', 1000, 10, 600_000),
    RETRY_MAX_MS: int('Longest delay between delivery retries', 300_000, 100, 86_400_000),
    STATUS_MAP_FILE: str('Provincial status code → DVCQG TrangThaiHoSo map', 'config/status-map.json'),
    SANDBOX_CATALOG_SIZE: int('Procedures in the sandbox national catalog (DVCQG simulator)', 2000, 1, 100_000),
    CATALOG_SYNC_CRON: str('When the national catalog sync runs (cron, server time zone; empty: on demand only)', '0 2 * * *'),
    CATALOG_CONCURRENCY: int('Catalog sync: LayThuTuc calls in flight at once, per worker process', 4, 1, 256),
    CATALOG_RATE_PER_SEC: int('Catalog sync: most LayThuTuc calls per second toward DVCQG, across all workers', 10, 1, 10_000),
    CATALOG_FETCH_ATTEMPTS: int('Catalog sync: attempts per procedure on transient upstream failures', 8, 1, 50),
    CATALOG_RETRY_BASE_MS: int('Catalog sync: first retry delay of a procedure fetch (doubles each attempt)', 1000, 10, 600_000),
    CATALOG_LOCK_MS: int('Catalog sync: job lock / run lease; a crashed worker\'s work is taken over after this long', 30_000, 500, 600_000),
    CATALOG_POLL_MS: int('Catalog sync: how often the run coordinator checkpoints progress', 1000, 50, 60_000),
    SANDBOX_WAREHOUSE_OWNERS: int('Owners seeded in the sandbox warehouse (4–6 signed documents each)', 2000, 1, 1_000_000),
    BLOB_DIR: str('Folder of the warehouse file blobs (content-addressed by SHA-256); default DATA_DIR/blobs', ''),
    WAREHOUSE_TRUST_ANCHORS_FILE: str(
      'PEM file of the roots trusted for signatures of warehouse PDFs. Empty: outside production, the sandbox root it exports to DATA_DIR/sandbox-trust-anchors.pem (if present); else none',
      '',
    ),
    WAREHOUSE_MIRROR_CONCURRENCY: int('Owners one worker mirrors at once', 8, 1, 256),
    WAREHOUSE_DOWNLOAD_CONCURRENCY: int('File downloads in flight per worker process (all owners together)', 16, 1, 256),
    WAREHOUSE_RATE_PER_SEC: int('Most calls per second a worker process makes to the national warehouse (0: unlimited)', 200, 0, 100_000),
    WAREHOUSE_DOWNLOAD_ATTEMPTS: int('Downloads of one file (corrupt, truncated or failed) before the owner is retried later', 4, 1, 20),
    WAREHOUSE_AGENCY_CODE: str('Agency code recorded on mirrored documents and local ones that name none (statistics); default DVCQG_UNIT_CODE', ''),
    WAREHOUSE_REQUESTER_ID: str('SoDinhDanhNguoiYeuCau sent when mirroring (the hub acts for the province)', '000.00.00.H56'),
    WAREHOUSE_MAX_FILE_BYTES: int('Largest file accepted by POST /v1/warehouse/documents, in bytes', 20 * 1_048_576, 1024, 104_857_600),
    // Identity and registry lookups (issue 4)
    ...upstreamVars('POPULATION', 'population database', 'population', 'hashed-basic'),
    ...upstreamVars('BUSINESS_REGISTRY', 'business registry', 'business-registry', 'vnpt'),
    ...upstreamVars('TAX', 'tax authority', 'tax', 'oauth2'),
    ...upstreamVars('BHXH', 'social insurance (BHXH)', 'bhxh', 'api-key'),
    ...upstreamVars('CIVIL_STATUS', 'civil status (hộ tịch)', 'civil-status', 'oauth2'),
    POPULATION_SERVICE_CODE: str('population: MaDVC (public service code) sent with lookups', '037'),
    POPULATION_INTEGRATION_CODE: str('population: MaTichHop (integration code)', '037'),
    POPULATION_VERIFY_SERVICE_CODE: str('population: MaDichVu of the verify service', '033'),
    POPULATION_OFFICER_CODE: str('population: MaCanBo (officer code) sent with lookups', 'HUB'),
    LGSP_ACCESS_KEY: str('VNPT LGSP lgspaccesstoken: AccessKey', 'sandbox'),
    LGSP_SECRET_KEY: str('VNPT LGSP lgspaccesstoken: SecretKey', 'sandbox', { secret: true }),
    LGSP_APP_NAME: str('VNPT LGSP lgspaccesstoken: AppName', 'lgsp-hub'),
    LGSP_PARTNER_CODE: str('VNPT LGSP lgspaccesstoken: PartnerCode', '000.00.00.H56'),
    LGSP_PARTNER_CODE_CUS: str('VNPT LGSP lgspaccesstoken: PartnerCodeCus', '000.00.00.H56'),
    LOOKUP_TIMEOUT_MS: int('Timeout of one lookup call to a national system', 5000, 100, 120_000),
    LOOKUP_MAX_CONCURRENT: int('Concurrent calls per lookup upstream (more wait)', 128, 1, 4096),
    LOOKUP_READ_RETRIES: int('Bounded retries of a failed lookup (idempotent reads only)', 1, 0, 5),
    LOOKUP_BREAKER_ERROR_PERCENT: int('Failure percentage that opens a lookup upstream circuit', 50, 1, 100),
    LOOKUP_BREAKER_VOLUME: int('Calls in the window before the lookup circuit can open', 10, 1, 10_000),
    LOOKUP_BREAKER_RESET_MS: int('Open lookup circuit → half-open after this long', 5000, 50, 600_000),
    AUDIT_HASH_KEY: str('HMAC-SHA256 key hashing subject identifiers in the audit log (set a long random value in production)', 'dev-audit-key-change-me', { secret: true, minLength: 16 }),
  },
  { additionalProperties: false },
)

export type HubConfig = Static<typeof ConfigSchema>
