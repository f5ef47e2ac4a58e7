/**
 * The logger and every log line the server writes about requests. Lines
 * are built from allow-listed fields only: never headers, never a raw URL,
 * never a query string, so no secret can reach the log.
 */
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/** Creates the process logger; `destination` lets tests capture output. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = { level, base: { name: 'dynzone' }, timestamp: pino.stdTimeFunctions.isoTime };
  return destination ? pino(options, destination) : pino(options);
}

/** A logger that drops everything, for unit tests and short commands. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
