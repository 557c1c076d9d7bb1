import { Type } from '@sinclair/typebox'

/** Operator console (issue 15, docs/console-api.md): its browser session. Spread into the config schema. */
export const consoleVars = {
  CONSOLE_IDLE_MINUTES: Type.Number({
    description: 'Operator console: a session unused this long ends (rolling: each request through it restarts the clock; fractions allowed)',
    default: 30,
    minimum: 0.02,
    maximum: 1440,
  }),
  CONSOLE_SESSION_MAX_HOURS: Type.Integer({
    description: 'Operator console: a session ends this long after sign-in, however active',
    default: 12,
    minimum: 1,
    maximum: 168,
  }),
  CONSOLE_SESSION_SECRET: Type.String({
    description:
      'Operator console: secret signing the session cookie (32+ characters; required in production). Empty: outside production one is generated into DATA_DIR/console-session-secret (shared by the processes of one hub)',
    default: '',
    secret: true,
    pattern: '^(.{32,512})?$',
  }),
  CONSOLE_COOKIE_SECURE: Type.Union([Type.Literal('auto'), Type.Literal('true'), Type.Literal('false')], {
    description: 'Operator console: mark the session cookie Secure (HTTPS only): auto = in production',
    default: 'auto',
  }),
  CONSOLE_SIGNIN_PER_MINUTE: Type.Integer({
    description: 'Operator console: sign-in attempts allowed per remote address per minute (all API processes together)',
    default: 10,
    minimum: 1,
    maximum: 10_000,
  }),
}
