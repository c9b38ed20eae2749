// pino: readable lines by default, in a terminal and in a Job's log alike (colours only on a
// terminal: `kubectl logs` would show the escape codes); NDJSON with --log-format json, for pipelines.
import { pino, stdTimeFunctions, type Logger, type LoggerOptions } from 'pino';
import type { EventSink } from '../../ports.js';
import { formatEvent } from './format.js';
import { runEndText } from './run-end.js';

export type LogFormat = 'json' | 'pretty';

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const COLORS: Record<number, string> = { 40: '\x1b[33m', 50: '\x1b[31m', 60: '\x1b[31m' };
/** Field names whose values never reach a log line. */
const SECRET_KEYS = ['authorization', 'Authorization', 'password', 'token'];

/** One JSON log record → `[HH:MM:SS] LEVEL message`; the structured fields stay in JSON mode only. */
export function prettyLine(json: string, color: boolean): string {
  const rec = JSON.parse(json) as { level: number; time: string; msg?: string };
  const time = new Date(rec.time).toISOString().slice(11, 19);
  const level = LEVELS[rec.level] ?? String(rec.level);
  const text = `[${time}] ${level.padEnd(5)} ${rec.msg ?? ''}`;
  const c = color ? COLORS[rec.level] : undefined;
  return `${c ? `${c}${text}\x1b[0m` : text}\n`;
}

export function createLogger(level: string, format: LogFormat, out: NodeJS.WritableStream = process.stdout): Logger {
  const opts: LoggerOptions = {
    level,
    base: { app: 'locust-driver' },
    timestamp: stdTimeFunctions.isoTime,
    // Secrets never reach a log line, whatever a caller passes in.
    // (up to two levels down, so `{ req: { headers: { authorization } } }` is covered too)
    redact: { paths: SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]), censor: '[REDACTED]' },
  };
  if (format === 'pretty') {
    const color = (out as { isTTY?: boolean }).isTTY === true;
    const log = pino(opts, { write: (line: string) => void out.write(prettyLine(line, color)) });
    closingOut.set(log, out);
    return log;
  }
  return pino(
    { ...opts, formatters: { level: (label) => ({ level: label }) } },
    out === process.stdout ? pino.destination({ dest: 1, sync: true }) : { write: (line: string) => void out.write(line) },
  );
}

/**
 * Where a pretty logger writes the end of the run as is (no time or level per line). Kept beside the
 * logger rather than passed around, so the log's format alone decides how the log ends.
 */
const closingOut = new WeakMap<Logger, NodeJS.WritableStream>();

export function logEvents(log: Logger): EventSink {
  return (e) => {
    const line = formatEvent(e);
    if (line) log[line.level](line.fields, line.msg);
    if (e.kind === 'run-finished') closingOut.get(log)?.write(runEndText(e));
  };
}
