import { Type, type Static } from '@sinclair/typebox'
import { LOOKUP_CONNECTORS } from '../connectors/lookups.js'
import { lookupConfig, tlsVars, upstreamVars } from './upstream.js'
import { consoleVars } from './console.js'

/**
 * The one source of truth for configuration: a JSON schema (TypeBox) whose keys are
 * the environment variable names. The TypeScript type is derived from it, defaults
 * live here, and README's configuration table is generated from the descriptions
 * (`npm run config:doc`). Fields marked `secret` are never echoed in errors or logs.
 */
const str = (description: string, def: string, extra: Record<string, unknown> = {}) => Type.String({ description, default: def, ...extra })
const int = (description: string, def: number, minimum: number, maximum: number) => Type.Integer({ description, default: def, minimum, maximum })

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
      secret: true,
      pattern: '^rediss?://[^\\s]+$',
    }),
    REDIS_USERNAME: str("Redis ACL user (overrides the one in REDIS_URL; empty: the URL's, or none)", '', { pattern: '^[^\\s:@]{0,128}$' }),
    REDIS_PASSWORD: str("Redis password (overrides the one in REDIS_URL; empty: the URL's, or none)", '', { secret: true }),
    REDIS_SENTINELS: str(
      'Redis Sentinel (high availability): comma-separated host:port of the sentinels; set, the hub asks them for the current primary of REDIS_SENTINEL_MASTER and follows failovers (REDIS_URL then gives only TLS, credentials and database number). Empty: REDIS_URL directly',
      '',
      { pattern: '^([A-Za-z0-9._-]+:[0-9]{1,5}(,[A-Za-z0-9._-]+:[0-9]{1,5})*)?$' },
    ),
    REDIS_SENTINEL_MASTER: str('Redis Sentinel: name of the monitored primary (the name in `sentinel monitor <name> …`)', 'mymaster', {
      pattern: '^[A-Za-z0-9._-]{1,64}$',
    }),
    REDIS_SENTINEL_USERNAME: str('Redis Sentinel: ACL user of the sentinels themselves (empty: none)', '', { pattern: '^[^\\s:@]{0,128}$' }),
    REDIS_SENTINEL_PASSWORD: str('Redis Sentinel: password of the sentinels themselves (sentinel requirepass; empty: none)', '', { secret: true }),
    REDIS_TLS_CA_FILE: str('Redis over TLS: PEM CA bundle trusted for the server certificate (implies TLS, like a rediss:// URL; empty: system roots)', ''),
    REDIS_TLS_CERT_FILE: str('Redis over TLS: PEM client certificate for mutual TLS (with REDIS_TLS_KEY_FILE)', ''),
    REDIS_TLS_KEY_FILE: str('Redis over TLS: PEM private key of REDIS_TLS_CERT_FILE', ''),
    REDIS_TLS_SERVERNAME: str('Redis over TLS: name checked against the server certificate (default: the host connected to)', '', {
      pattern: '^[A-Za-z0-9.*-]{0,253}$',
    }),
    QUEUE_PREFIX: str(
      'Key prefix of every BullMQ queue and hub key in Redis (letters, digits, - and _; no colon). Redis Cluster: wrap it in braces, e.g. {lgsp}, so every key of a queue hashes to one slot',
      'lgsp',
      { pattern: '^(?=.{1,64}$)[A-Za-z0-9_-]*(\\{[A-Za-z0-9_-]+\\})?[A-Za-z0-9_-]*$' },
    ),
    DATABASE_URL: Type.Optional(
      Type.String({
        description: 'PostgreSQL URL (postgres://…). Unset: embedded PGlite in DATA_DIR (one process only)',
        pattern: '^postgres(ql)?://[^\\s]+$',
        secret: true,
      }),
    ),
    DATABASE_POOL_SIZE: int(
      'Maximum PostgreSQL connections per process (and as many again to DATABASE_READ_URL when set): keep the sum over all processes under max_connections',
      10,
      1,
      200,
    ),
    DATABASE_READ_URL: Type.Optional(
      Type.String({
        description:
          'Read-only PostgreSQL replica (postgres://…) for read endpoints (catalog, warehouse reuse); its sessions are read-only, writes always go to DATABASE_URL; a replica that cannot be reached falls back to DATABASE_URL. Unset: every read on DATABASE_URL',
        pattern: '^postgres(ql)?://[^\\s]+$',
        secret: true,
      }),
    ),
    DATA_DIR: str('Folder for embedded data (PGlite database, blobs)', './data', { minLength: 1 }),
    BODY_LIMIT_BYTES: int('Largest accepted request body, in bytes', 1_048_576, 1024, 104_857_600),
    // Edge limits (issue 9)
    REQUEST_TIMEOUT_MS: int('Longest time to receive a whole request (headers and body); a slower client gets 408 and is cut', 30_000, 1000, 600_000),
    HEADERS_TIMEOUT_MS: int('Longest time to receive the request headers', 10_000, 500, 120_000),
    KEEP_ALIVE_TIMEOUT_MS: int('An idle keep-alive connection is closed after this long', 5000, 100, 600_000),
    CONNECTION_TIMEOUT_MS: int('Socket idle timeout of an inbound connection (0: none)', 60_000, 0, 3_600_000),
    MAX_HEADER_BYTES: int('Largest request header section, in bytes (431 above)', 16_384, 1024, 1_048_576),
    MAX_URL_LENGTH: int('Longest request target (path and query), in characters (414 above)', 8192, 256, 65_536),
    RATE_LIMIT_PER_MINUTE: int(
      'Requests per minute per API client (a client may set its own rateLimitPerMinute in the clients file); shared across API processes through Redis',
      6000,
      1,
      10_000_000,
    ),
    RATE_LIMIT_IP_PER_MINUTE: int('Requests per minute per remote address before authentication (stops key guessing and floods)', 12_000, 1, 10_000_000),
    TRUST_PROXY: str(
      "Reverse proxies in front of the API (comma-separated addresses or CIDRs, or loopback / linklocal / uniquelocal) whose X-Forwarded-For names the caller's address for the per-address limit; empty: the socket's address",
      '',
      { pattern: '^[A-Za-z0-9.:/,]*$' },
    ),
    MAX_EVENT_LOOP_DELAY_MS: int('Event-loop delay above which the API answers 503 with Retry-After (backpressure; 0: off)', 1000, 0, 60_000),
    METRICS_PORT: int('Separate listener for /metrics (0: /metrics on the API port, behind the metrics grant)', 0, 0, 65535),
    METRICS_HOST: str('Address of the separate /metrics listener', '127.0.0.1'),
    WORKER_HEALTH_PORT: int(
      'Worker role: port of its health listener (/health/live; /health/ready: database, Redis and every queue worker running; /metrics of the process); 0: none',
      0,
      0,
      65535,
    ),
    // Tracing (issue 13): off unless an OTLP endpoint is set.
    OTEL_EXPORTER_OTLP_ENDPOINT: Type.Optional(
      Type.String({
        description:
          'OpenTelemetry: OTLP/HTTP collector base URL (spans go to <url>/v1/traces; OTEL_EXPORTER_OTLP_HEADERS is honoured). Unset: tracing off, nothing registered',
        pattern: '^https?://[^\\s]+$',
      }),
    ),
    OTEL_SERVICE_NAME: str('OpenTelemetry: service.name of the spans (the role is the hub.role resource attribute)', 'lgsp-hub', {
      pattern: '^[A-Za-z0-9._-]{1,64}$',
    }),
    TRACE_SAMPLE_RATIO: Type.Number({
      description: 'Share of new traces recorded (0 to 1); a request with a sampled W3C traceparent is always traced',
      default: 1,
      minimum: 0,
      maximum: 1,
    }),
    WORKER_HEALTH_HOST: str('Worker role: address of its health listener', '127.0.0.1'),
    DOCS_ENABLED: Type.Union([Type.Literal('auto'), Type.Literal('true'), Type.Literal('false')], {
      description: 'Serve the OpenAPI document and UI at /docs: true | false | auto (on except in production)',
      default: 'auto',
    }),
    CONSOLE_DIR: str('Folder of the built operator console served at /console/ (`npm run build` writes it); default dist/console in the package folder', ''),
    UPSTREAM_MAX_REPLY_BYTES: int(
      'Largest reply read from a national system, enforced while streaming (a larger one is a 502)',
      4 * 1_048_576,
      1024,
      1_073_741_824,
    ),
    UPSTREAM_MAX_FIELD_CHARS: int('Longest text field accepted in a mapped national reply (a longer one is a 502)', 65_536, 64, 16_777_216),
    BLOB_SWEEP_GRACE_MS: int('A stored file no row references is deleted after this long (orphans of refused uploads)', 3_600_000, 1000, 604_800_000),
    BLOB_SWEEP_INTERVAL_MS: int('How often a worker sweeps unreferenced files (0: never)', 600_000, 0, 86_400_000),
    CLIENTS_FILE: str('JSON file of API clients ({clients:[{id, keySha256, services[]}]}); ignored when CLIENTS_JSON is set', 'config/clients.dev.json'),
    CLIENTS_JSON: Type.Optional(Type.String({ description: 'The clients document inline (same shape as CLIENTS_FILE)', secret: true })),
    READY_CHECK_TIMEOUT_MS: int('Timeout of each health probe (readiness: database, Redis; /health/upstreams: each connector)', 1500, 50, 30_000),
    READY_CACHE_MS: int('How long a readiness result is reused', 2000, 0, 60_000),
    SHUTDOWN_TIMEOUT_MS: int('Longest graceful shutdown before in-flight jobs are released', 8000, 500, 120_000),
    WORKER_CONCURRENCY: int('Jobs one worker process runs at once', 32, 1, 1000),
    UPSTREAM_TIMEOUT_MS: int('Default timeout of a call to a national system', 10_000, 100, 300_000),
    SANDBOX_HOST: str('Address the sandbox (simulated national systems) listens on', '127.0.0.1'),
    SANDBOX_PORT: int('Port of the sandbox', 8090, 0, 65535),
    SANDBOX_SEED: int('Seed of the sandbox data and fault injection', 42, 0, 2 ** 31 - 1),
    CONNECTORS_ENABLED: str(
      'Comma-separated connectors the hub uses and reports in /health/upstreams (all by default, each pointing at the sandbox)',
      ['dvcqg', ...LOOKUP_CONNECTORS.map((c) => c.id)].join(','),
      {
        pattern: '^[a-z0-9-]*(,[a-z0-9-]+)*$',
      },
    ),
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
    DVCQG_MAX_REPLY_BYTES: int(
      'Largest reply read from DVCQG (warehouse downloads carry whole files), enforced while streaming',
      64 * 1_048_576,
      1024,
      1_073_741_824,
    ),
    ...tlsVars('DVCQG', 'DVCQG'),
    DVCQG_DSTCODE: str('dstcode header sent to DVCQG', 'H56'),
    DVCQG_UNIT_CODE: str('madonvi: the province unit code', '000.00.00.H56', {
      pattern: '^\\d{3}\\.\\d{2}\\.\\d{2}\\.[A-Z]\\d{2}$',
    }),
    DVCQG_STATUS_ONLY_PROCEDURES: str(
      'Comma-separated national procedure codes whose dossiers the portal keeps by status only: their status changes travel as DongBoTrangThaiHoSo instead of a whole DongBoHoSoMC record (default: none)',
      '',
      { pattern: '^(\\d\\.\\d{6}(,\\d\\.\\d{6})*)?$' },
    ),
    PROCEDURE_CODE_MAP_FILE: Type.Optional(Type.String({ description: 'JSON object mapping local procedure codes to national ones (default: none)' })),
    DOSSIER_BATCH_MS: int(
      'Intake waits this long before draining a dossier, so a burst of its events travels in fewer portal calls (0: at once)',
      250,
      0,
      60_000,
    ),
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
    CATALOG_LOCK_MS: int("Catalog sync: job lock / run lease; a crashed worker's work is taken over after this long", 30_000, 500, 600_000),
    CATALOG_POLL_MS: int('Catalog sync: how often the run coordinator checkpoints progress', 1000, 50, 60_000),
    SANDBOX_WAREHOUSE_OWNERS: int('Owners seeded in the sandbox warehouse (4–6 signed documents each)', 2000, 1, 1_000_000),
    BLOB_DIR: str('Folder of the warehouse file blobs (content-addressed by SHA-256); default DATA_DIR/blobs', ''),
    WAREHOUSE_TRUST_ANCHORS_FILE: str(
      'PEM file of the roots trusted for signatures of warehouse PDFs (with TRUST_ANCHORS). Neither set: in development or test only, the sandbox root it exports to DATA_DIR/sandbox-trust-anchors.pem (if present); else none',
      '',
    ),
    // Signature policy, trust anchors and revocation (issue 17, docs/signatures.md)
    SIGNATURE_POLICY: str(
      'Signature policy rules over the defaults local.*=require,import.*=require,mirror.*=warn: comma-separated source.kind=mode (source local|mirror|import|*, kind result|component|other|*, mode require|warn|accept); docs/signatures.md',
      '',
      { maxLength: 1000 },
    ),
    SIGNATURE_WEAK_CUTOFF: str(
      'Signatures with a SHA-1 digest or an RSA key under SIGNATURE_MIN_RSA_BITS claimed before this date (YYYY-MM-DD, UTC) are a warning; on or after it, or undated, invalid',
      '2020-01-01',
      { pattern: '^\\d{4}-\\d{2}-\\d{2}$' },
    ),
    SIGNATURE_MIN_RSA_BITS: int('Smallest RSA key (signer and chain) not flagged as weak, in bits', 2048, 1024, 16384),
    TRUST_ANCHORS: str(
      'Trusted roots for document signatures: comma-separated PEM files or folders (every *.pem, *.crt, *.cer in them), added to WAREHOUSE_TRUST_ANCHORS_FILE; docs/signatures.md lists the national roots',
      '',
      { maxLength: 4000 },
    ),
    REVOCATION_CHECK: Type.Union([Type.Literal('on'), Type.Literal('off')], {
      description: 'Check the signer certificate against its CA (OCSP, then CRL): on | off',
      default: 'on',
    }),
    REVOCATION_OFFLINE: Type.Union([Type.Literal('soft-fail'), Type.Literal('hard-fail')], {
      description:
        'When neither OCSP nor CRL answers: soft-fail (the document passes with the warning revocation_unknown) | hard-fail (revocation_unknown blocks it under require)',
      default: 'soft-fail',
    }),
    REVOCATION_TIMEOUT_MS: int('Deadline of one OCSP or CRL request (connect to last byte)', 5000, 100, 120_000),
    REVOCATION_MAX_REPLY_BYTES: int('Largest OCSP response or CRL read, in bytes (enforced while streaming)', 10_485_760, 1024, 104_857_600),
    REVOCATION_CACHE_ENTRIES: int('Revocation answers kept in memory per process (oldest dropped first); CRLs: at most 256', 10_000, 1, 1_000_000),
    REVOCATION_DEFAULT_TTL_MS: int('How long an OCSP answer or CRL without nextUpdate is reused', 3_600_000, 1000, 604_800_000),
    REVOCATION_UNKNOWN_TTL_MS: int('How long "nobody answered" is reused before OCSP/CRL are asked again', 60_000, 0, 86_400_000),
    WAREHOUSE_MIRROR_CONCURRENCY: int('Owners one worker mirrors at once', 8, 1, 256),
    WAREHOUSE_DOWNLOAD_CONCURRENCY: int('File downloads in flight per worker process (all owners together)', 16, 1, 256),
    WAREHOUSE_RATE_PER_SEC: int('Most calls per second a worker process makes to the national warehouse (0: unlimited)', 200, 0, 100_000),
    WAREHOUSE_DOWNLOAD_ATTEMPTS: int('Downloads of one file (corrupt, truncated or failed) before the owner is retried later', 4, 1, 20),
    WAREHOUSE_AGENCY_CODE: str('Agency code recorded on mirrored documents and local ones that name none (statistics); default DVCQG_UNIT_CODE', ''),
    WAREHOUSE_REQUESTER_ID: str('SoDinhDanhNguoiYeuCau sent when mirroring (the hub acts for the province)', '000.00.00.H56'),
    WAREHOUSE_MAX_FILE_BYTES: int('Largest file accepted by POST /v1/warehouse/documents, in bytes', 20 * 1_048_576, 1024, 104_857_600),
    WAREHOUSE_REUSE_MAX_AGE_MS: int(
      'Reuse query: an owner mirrored longer ago than this (ms) is fetched again from the national warehouse on demand (0: never fetch on demand)',
      86_400_000,
      0,
      31_536_000_000,
    ),
    WAREHOUSE_REUSE_DEADLINE_MS: int(
      'Reuse query: longest wait (ms) for an on-demand fetch; past it the answer is what the hub holds, marked incomplete',
      3000,
      100,
      60_000,
    ),
    IMPORT_ROOT: str('Backlog import: folders given to POST /admin/digitisation/imports are resolved inside this directory; default <DATA_DIR>/imports', ''),
    IMPORT_MAX_ROWS: int('Backlog import: most manifest rows in one import', 100_000, 1, 1_000_000),
    IMPORT_INVENTORY_FILE: str(
      "Backlog import: CSV of the agencies' declared inventories (agencyCode,pages,documents) the progress report compares against",
      '',
    ),
    // Identity and registry lookups (issue 4): each connector's variables, from its declaration (src/connectors/<id>/lookup.ts)
    ...lookupConfig(LOOKUP_CONNECTORS),
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
    // Audit coverage (issue 11, docs/audit-coverage.md)
    AUDIT_PURPOSES: str(
      'Purpose catalogue: the codes accepted in x-purpose besides a dossier code (comma-separated, upper-case letters, digits and -); docs/audit-coverage.md lists the default codes',
      'TTHC,KIEM-TRA-HO-SO,XAC-MINH-DANH-TINH,TAI-SU-DUNG-GIAY-TO,HO-TRO-CONG-DAN,THANH-TRA,YEU-CAU-CHU-THE',
      { pattern: '^[A-Z0-9][A-Z0-9-]{0,39}(,[A-Z0-9][A-Z0-9-]{0,39})*$' },
    ),
    AUDIT_DEGRADED_MODE: Type.Union([Type.Literal('refuse'), Type.Literal('serve-and-log')], {
      description:
        'Audit store unavailable: refuse (personal-data reads answer 503 HUB_ERR_AUDIT_UNAVAILABLE) or serve-and-log (served unaudited, logged as such; a documented legal exception, docs/audit-coverage.md)',
      default: 'refuse',
    }),
    // Document exchange axis (VDXP, issue 12): the provincial LGSP façade, its §6 auth and the X-SystemId/X-SecretKey pair
    ...upstreamVars('VDXP', 'document exchange axis (VDXP)', 'vdxp', 'oauth2'),
    VDXP_SYSTEM_ID: str('VDXP: X-SystemId sent with every call (the system registered at the axis)', 'sandbox-system'),
    VDXP_SYSTEM_SECRET: str('VDXP: X-SecretKey sent with every call', 'sandbox-secret', { secret: true }),
    VDXP_CREDENTIALS_JSON: str(
      'VDXP: per-agency X-SystemId/X-SecretKey as JSON {"<OrganId>":{"systemId":"…","secretKey":"…"}}; agencies not listed use VDXP_SYSTEM_ID/_SYSTEM_SECRET (default: the sandbox pair)',
      '{"000.00.00.H56":{"systemId":"sandbox-h56","secretKey":"sandbox-h56-secret"},"000.01.00.H56":{"systemId":"sandbox-h56-sxd","secretKey":"sandbox-h56-sxd-secret"}}',
      { secret: true },
    ),
    VDXP_AGENCIES: str('VDXP: comma-separated OrganIds the hub sends and receives as (one poller each; empty: no polling)', '000.00.00.H56,000.01.00.H56', {
      pattern: '^([0-9A-Za-z.]{1,40}(,[0-9A-Za-z.]{1,40})*)?$',
    }),
    VDXP_POLL_MS: int('VDXP: how often each agency polls its received list', 5000, 100, 3_600_000),
    VDXP_WINDOW_DAYS: int('VDXP: days of the received-list window (toDate is exclusive at the axis: the window always reaches tomorrow)', 2, 2, 30),
    VDXP_OVERLAP_MS: int('VDXP: the next window starts this long before the last one ended (messages are deduplicated by the axis id)', 600_000, 0, 86_400_000),
    VDXP_MAX_REPLY_BYTES: int(
      'VDXP: largest reply read from the axis (getEdoc carries whole attachments), enforced while streaming',
      64 * 1_048_576,
      1024,
      1_073_741_824,
    ),
    VDXP_MAX_ATTACHMENT_BYTES: int('VDXP: largest attachment accepted by POST /v1/documents, in bytes', 20 * 1_048_576, 1024, 104_857_600),
    VDXP_BLOB_DIR: str(
      'VDXP: folder of document attachments and built edXML (content-addressed; shared by API and workers); default DATA_DIR/document-blobs',
      '',
    ),
    VDXP_WEBHOOK_URL: str('VDXP: URL the hub POSTs each received document to (signed; empty: inbox API only)', ''),
    VDXP_WEBHOOK_SECRET: str('VDXP: HMAC-SHA256 key of the webhook signature', '', { secret: true }),
    VDXP_AGENCY_SYNC_CRON: str('VDXP: when the axis agency list is synced (cron; empty: on demand only)', '30 2 * * *'),
    AUDIT_HASH_KEY: str('HMAC-SHA256 key hashing subject identifiers in the audit log (set a long random value in production)', 'dev-audit-key-change-me', {
      secret: true,
      minLength: 16,
    }),
    AUDIT_SIGNING_KEY_FILE: str(
      'PEM (PKCS#8) private key signing audit checkpoints (Ed25519 or ECDSA P-256). Empty: outside production one is generated into DATA_DIR/audit-signing-key.pem (with a warning); required in production',
      '',
    ),
    AUDIT_TRUSTED_KEYS_FILE: str('PEM file of further public keys whose audit checkpoints verify (retired signing keys). Empty: only the signing key', ''),
    AUDIT_CHECKPOINT_INTERVAL_MS: int('Sign a checkpoint of new audit records this often (0: never on a timer)', 60_000, 0, 86_400_000),
    AUDIT_CHECKPOINT_RECORDS: int('Also sign a checkpoint as soon as this many audit records are unsigned (0: timer only)', 10_000, 0, 10_000_000),
    AUDIT_RETENTION_DAYS: int(
      'Keep audit records online this many days, then archive whole checkpoint segments to AUDIT_ARCHIVE_DIR (0: keep all online)',
      0,
      0,
      36_500,
    ),
    AUDIT_ARCHIVE_DIR: str(
      'Archive store of audit segments (content-addressed JSON lines; shared storage with several processes); default DATA_DIR/audit-archive',
      '',
    ),
    AUDIT_ARCHIVE_INTERVAL_MS: int('How often a worker archives audit segments past retention', 3_600_000, 1000, 86_400_000),
    // Indicator reports and the portal spot-check (issue 14, docs in README "Indicator reports and the portal spot-check")
    REPORTS_MONTHLY_CRON: str("Indicator reports: when the previous month's reports are generated (cron in REPORTS_TZ; empty: on demand only)", '0 1 1 * *'),
    REPORTS_QUARTERLY_CRON: str(
      "Indicator reports: when the previous quarter's reports are generated (cron in REPORTS_TZ; empty: on demand only)",
      '0 2 1 1,4,7,10 *',
    ),
    REPORTS_TZ: str('Indicator reports and spot-check: time zone of their crons and of report periods', 'Asia/Ho_Chi_Minh', { minLength: 1 }),
    REPORTS_AGENCIES: str(
      'Indicator reports: comma-separated agency codes that get their own report besides the province-wide one (each with a sheet per child agency)',
      '',
      { pattern: '^[A-Za-z0-9.,-]*$' },
    ),
    REPORTS_BLOB_DIR: str('Indicator reports: folder of the generated files (content-addressed; shared by API and workers); default DATA_DIR/report-blobs', ''),
    PORTAL_CHECK_CRON: str(
      'Portal spot-check: when synced dossiers are checked against DVCQG TraCuuHoSo (cron in REPORTS_TZ; empty: on demand only)',
      '30 3 * * *',
    ),
    PORTAL_CHECK_SAMPLE: int('Portal spot-check: dossiers sampled per run', 50, 1, 10_000),
    PORTAL_CHECK_WINDOW_DAYS: int('Portal spot-check: sample dossiers received in this many past days', 30, 1, 3650),
    // Service-quality indicators (issue 14, docs/indicators.md)
    INDICATORS_CONFIG_FILE: str('Indicator scores: fullAt and maxScore per metric code (Decision 766), each with its source', 'config/indicators.json'),
    INDICATOR_FACTS: Type.Union([Type.Literal('on'), Type.Literal('off')], {
      description:
        'Keep the per-dossier indicator facts (dossier_facts) current in the intake and delivery statements; off only to measure intake without them (bench:indicators); indicators are wrong while off',
      default: 'on',
    }),
    INDICATOR_GAUGE_REFRESH_MS: int(
      'Prometheus indicator gauges (current month per top-level agency) are recomputed at most this often; scrapes read the last values',
      300_000,
      1000,
      86_400_000,
    ),
    INDICATOR_ROLLUP_FOLD_MS: int(
      'Worker processes fold changed dossier facts into the monthly indicator rollup this often (one at a time across processes); 0: no rollup, every summary scans the facts',
      15_000,
      0,
      86_400_000,
    ),
    INDICATOR_GAUGE_MAX_AGENCIES: int(
      'Most top-level agencies (children of each province) with indicator gauges, the largest first (bounds the label set)',
      50,
      1,
      1000,
    ),
    // Operator console (issue 15, docs/console-api.md)
    ...consoleVars,
  },
  { additionalProperties: false },
)

export type HubConfig = Static<typeof ConfigSchema>
