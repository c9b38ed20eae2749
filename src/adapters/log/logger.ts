// pino: NDJSON when stdout is not a terminal (a Job's logs), readable lines on a terminal.
import { pino, stdTimeFunctions, type Logger, type LoggerOptions } from 'pino';
import pretty from 'pino-pretty';
import type { EventSink } from '../../ports.js';
import { formatEvent } from './format.js';

export type LogFormat = 'json' | 'pretty';

export function createLogger(level: string, format: LogFormat): Logger {
  const opts: LoggerOptions = {
    level,
    base: { app: 'locust-driver' },
    timestamp: stdTimeFunctions.isoTime,
    // Secrets never reach a log line, whatever a caller passes in.
    redact: { paths: ['authorization', '*.authorization', 'password', '*.password', 'token', '*.token'], censor: '[REDACTED]' },
  };
  if (format === 'pretty') {
    // In-process stream (no worker thread), so nothing is lost when the process exits.
    return pino(opts, pretty({ colorize: process.stdout.isTTY === true, sync: true, ignore: 'pid,hostname,app,event', translateTime: 'HH:MM:ss', singleLine: true, hideObject: true }));
  }
  return pino({ ...opts, formatters: { level: (label) => ({ level: label }) } }, pino.destination({ dest: 1, sync: true }));
}

export function logEvents(log: Logger): EventSink {
  return (e) => {
    const line = formatEvent(e);
    if (line) log[line.level](line.fields, line.msg);
  };
}
