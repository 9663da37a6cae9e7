import { pino, type Logger } from 'pino';

/** Structured JSON logs; secrets that may show up in request data are redacted. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'haltfree' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie', '*.password', '*.token'], censor: '[redacted]' },
  });
}
