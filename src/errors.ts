/**
 * Every error dynzone raises on purpose, each with a stable code. Messages
 * are for operators; peers never see them (the update endpoint and the DNS
 * server map errors to their own protocol answers).
 */

/** Base class: a stable `code` that tests and callers can match on. */
export class DynzoneError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** The configuration file is unreadable or breaks the schema. */
export class ConfigError extends DynzoneError {
  /** One line per problem, each starting with its key path. */
  readonly problems: string[];

  constructor(file: string, problems: string[]) {
    super('DDNS_ERR_CONFIG_INVALID', `invalid configuration in ${file}:\n  ${problems.join('\n  ')}`);
    this.problems = problems;
  }
}

/** A zone-file line or record could not be read. */
export class RecordSyntaxError extends DynzoneError {
  constructor(message: string) {
    super('DDNS_ERR_RECORD_SYNTAX', message);
  }
}

/** The durable copy could not be written; the change was not applied. */
export class StoreWriteError extends DynzoneError {
  constructor(message: string, options?: ErrorOptions) {
    super('DDNS_ERR_STORE_WRITE', message, options);
  }
}

/** The durable copy on disk cannot be loaded; nothing is overwritten. */
export class StoreCorruptError extends DynzoneError {
  constructor(message: string, options?: ErrorOptions) {
    super('DDNS_ERR_STORE_CORRUPT', message, options);
  }
}

/** Another server already holds the data folder. */
export class StoreLockedError extends DynzoneError {
  constructor(message: string) {
    super('DDNS_ERR_STORE_LOCKED', message);
  }
}

/** The data folder cannot be used: it is a file, read-only, or not ours to write. */
export class StoreOpenError extends DynzoneError {
  constructor(message: string, options?: ErrorOptions) {
    super('DDNS_ERR_STORE_OPEN', message, options);
  }
}

/** A command-line or control request names something invalid or unknown. */
export class UsageError extends DynzoneError {
  constructor(message: string) {
    super('DDNS_ERR_USAGE', message);
  }
}

/** A management change conflicts with existing state (duplicate, overlap). */
export class ConflictError extends DynzoneError {
  constructor(message: string) {
    super('DDNS_ERR_CONFLICT', message);
  }
}

/** Something named does not exist. */
export class NotFoundError extends DynzoneError {
  constructor(message: string) {
    super('DDNS_ERR_NOT_FOUND', message);
  }
}
