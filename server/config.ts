/**
 * Relay configuration from command-line flags, then WARDLINE_RELAY_* environment variables, then
 * defaults. Every value is validated once here; the rest of the relay trusts Config.
 */
import { parseArgs } from 'node:util';
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_MAX_ENVELOPE_BYTES } from '../protocol/relay';

const MiB = 1024 * 1024;

/** Flag name -> [schema, default]. The env variable is WARDLINE_RELAY_ + upper snake case. */
const options = {
  host: [z.string(), '127.0.0.1'],
  port: [z.coerce.number().int().min(0).max(65535), 8443],
  data: [z.string(), './relay-data'],
  'tls-cert': [z.string().optional(), undefined],
  'tls-key': [z.string().optional(), undefined],
  'public-url': [z.url().optional(), undefined],
  'log-level': [z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), 'info'],
  'port-file': [z.string().optional(), undefined],
  /** full: each commit is fsynced (survives power loss); normal: survives a process crash only. */
  sync: [z.enum(['full', 'normal']), 'full'],
  'max-envelope-bytes': [z.coerce.number().int().min(1024).max(16 * MiB), DEFAULT_MAX_ENVELOPE_BYTES],
  'queue-cap': [z.coerce.number().int().min(1), 10_000],
  'queue-cap-bytes': [z.coerce.number().int().min(1), 256 * MiB],
  /** Per device: sustained envelopes per second and the burst allowed above it. */
  'rate-envelopes': [z.coerce.number().positive(), 100],
  'rate-burst': [z.coerce.number().int().positive(), 1000],
  /** Per socket: requests of any kind per second (directory look-ups, bundle fetches...). */
  'rate-requests': [z.coerce.number().positive(), 50],
  /** Enrolments per second across the relay (each verifies and signs); raise for mass roll-outs. */
  'rate-enrol': [z.coerce.number().positive(), 20],
  'max-attachment-bytes': [z.coerce.number().int().positive(), 100 * MiB],
  'attachment-retention-days': [z.coerce.number().positive(), 30],
  /** How long a delivered envelope's ids are remembered so that a late resend is not stored again. */
  'dedupe-window-hours': [z.coerce.number().positive(), 7 * 24],
  /** Undelivered envelopes older than this are erased (the hospital's retention for data it cannot read). */
  'envelope-retention-days': [z.coerce.number().positive(), 30],
  'prekey-low-threshold': [z.coerce.number().int().min(0), 20],
  /** How often the relay looks for revocations written by the CLI. */
  'admin-poll-ms': [z.coerce.number().int().min(50), 1000],
  'auth-timeout-ms': [z.coerce.number().int().min(100), 10_000],
  /** Connections still to answer their challenge, from one address and in all (socket/pending-auth.ts). */
  'max-pending-auth-per-address': [z.coerce.number().int().min(1), 64],
  'max-pending-auth': [z.coerce.number().int().min(1), 1024],
  /** A connected device that acknowledges nothing this long gets its unacknowledged envelopes again. */
  'redeliver-after-ms': [z.coerce.number().int().min(500), 60_000],
} as const satisfies Record<string, readonly [z.ZodType, unknown]>;

type OptionName = keyof typeof options;

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  tls: { cert: string; key: string } | undefined;
  publicUrl: string | undefined;
  logLevel: string;
  portFile: string | undefined;
  sync: 'full' | 'normal';
  maxEnvelopeBytes: number;
  queueCap: number;
  queueCapBytes: number;
  rateEnvelopes: number;
  rateBurst: number;
  rateRequests: number;
  rateEnrol: number;
  maxAttachmentBytes: number;
  attachmentRetentionMs: number;
  dedupeWindowMs: number;
  envelopeRetentionMs: number;
  prekeyLowThreshold: number;
  adminPollMs: number;
  authTimeoutMs: number;
  maxPendingAuthPerAddress: number;
  maxPendingAuth: number;
  redeliverAfterMs: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export interface ParsedCommandLine {
  config: Config;
  /** Words that are not flags: a CLI command such as ["user", "add", "alice"], or [] to serve. */
  positionals: string[];
  /** Flags the CLI commands read (--name, --json, --code-ttl). */
  extra: { name: string | undefined; json: boolean; codeTtl: string | undefined };
}

export function parseCommandLine(argv: string[], env: NodeJS.ProcessEnv = process.env): ParsedCommandLine {
  const flagSpec = Object.fromEntries(Object.keys(options).map((name) => [name, { type: 'string' as const }]));
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { ...flagSpec, name: { type: 'string' }, json: { type: 'boolean' }, 'code-ttl': { type: 'string' } },
    });
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const read = <N extends OptionName>(name: N): z.infer<(typeof options)[N][0]> => {
    const [schema, fallback] = options[name];
    const envName = `WARDLINE_RELAY_${name.replace(/-/g, '_').toUpperCase()}`;
    const raw = values[name] ?? env[envName] ?? fallback;
    const result = schema.safeParse(raw);
    if (!result.success) throw new ConfigError(`--${name} (or ${envName}): ${result.error.issues[0]?.message ?? 'invalid'}`);
    return result.data as z.infer<(typeof options)[N][0]>;
  };

  const tlsCert = read('tls-cert');
  const tlsKey = read('tls-key');
  if ((tlsCert === undefined) !== (tlsKey === undefined)) throw new ConfigError('--tls-cert and --tls-key go together');
  const host = read('host');
  const tls = tlsCert !== undefined && tlsKey !== undefined ? { cert: tlsCert, key: tlsKey } : undefined;
  // Plain HTTP would expose enrolment codes and attachment tokens on the network: only loopback.
  if (!tls && !isLoopback(host)) throw new ConfigError(`refusing to serve plain HTTP on ${host}: give --tls-cert and --tls-key`);

  const config: Config = {
    host,
    port: read('port'),
    dataDir: path.resolve(read('data')),
    tls,
    publicUrl: read('public-url'),
    logLevel: read('log-level'),
    portFile: read('port-file'),
    sync: read('sync'),
    maxEnvelopeBytes: read('max-envelope-bytes'),
    queueCap: read('queue-cap'),
    queueCapBytes: read('queue-cap-bytes'),
    rateEnvelopes: read('rate-envelopes'),
    rateBurst: read('rate-burst'),
    rateRequests: read('rate-requests'),
    rateEnrol: read('rate-enrol'),
    maxAttachmentBytes: read('max-attachment-bytes'),
    attachmentRetentionMs: read('attachment-retention-days') * 24 * 3600_000,
    dedupeWindowMs: read('dedupe-window-hours') * 3600_000,
    envelopeRetentionMs: read('envelope-retention-days') * 24 * 3600_000,
    prekeyLowThreshold: read('prekey-low-threshold'),
    adminPollMs: read('admin-poll-ms'),
    authTimeoutMs: read('auth-timeout-ms'),
    maxPendingAuthPerAddress: read('max-pending-auth-per-address'),
    maxPendingAuth: read('max-pending-auth'),
    redeliverAfterMs: read('redeliver-after-ms'),
  };
  return {
    config,
    positionals: parsed.positionals,
    extra: {
      name: typeof values.name === 'string' ? values.name : undefined,
      json: values.json === true,
      codeTtl: typeof values['code-ttl'] === 'string' ? values['code-ttl'] : undefined,
    },
  };
}

function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === '::1' || host === 'localhost';
}
