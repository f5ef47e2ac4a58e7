/**
 * Accounts, their domains and their tokens. Changes return the store
 * operations that describe them and an undo, like zone changes do, so the
 * caller can commit both kinds in one durable step.
 */

import { ConflictError, NotFoundError, UsageError } from '../errors.js';
import type { Json, Op } from '../store/types.js';
import { parseSubnet } from '../zone/ip.js';
import { isAtOrBelow, isValidName, parentName } from '../zone/names.js';

/** A person or household. */
export interface Account {
  name: string;
  email?: string;
  created: string;
}

/** A name (and everything below it) that one account may update. */
export interface Domain {
  name: string;
  account: string;
  created: string;
}

/** A stored token: never the secret, only its digest. */
export interface Token {
  id: string;
  account: string;
  digest: string;
  created: string;
  name?: string;
  /** ISO-8601 instant after which the token is refused. */
  expires?: string;
  /** CIDRs the client address must fall in, checked on every scheme. */
  subnets?: string[];
  /** The account's domains this token may update; absent means all. */
  domains?: string[];
}

/** A change made in memory, with its store operations and undo. */
export interface DirectoryChange {
  ops: Op[];
  undo: () => void;
}

interface DirectoryDoc {
  accounts?: Record<string, Omit<Account, 'name'>>;
  domains?: Record<string, Omit<Domain, 'name'>>;
  tokens?: Record<string, Omit<Token, 'id'>>;
}

const ACCOUNT_NAME = /^[a-z0-9][a-z0-9._@+-]{0,63}$/;

export { parseSubnet };

/** The directory of accounts, domains and tokens held in memory. */
export class Directory {
  readonly #accounts = new Map<string, Account>();
  readonly #domains = new Map<string, Domain>();
  readonly #tokens = new Map<string, Token>();
  readonly #byDigest = new Map<string, Token>();

  /** Loads the persisted part of the document. */
  constructor(doc: DirectoryDoc = {}) {
    for (const [name, a] of Object.entries(doc.accounts ?? {})) this.#accounts.set(name, { name, ...a });
    for (const [name, d] of Object.entries(doc.domains ?? {})) this.#domains.set(name, { name, ...d });
    for (const [id, t] of Object.entries(doc.tokens ?? {})) this.#putToken({ id, ...t });
  }

  /** One account, or undefined. */
  account(name: string): Account | undefined {
    return this.#accounts.get(name);
  }

  /** Every account, by name. */
  accounts(): Account[] {
    return [...this.#accounts.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Every domain, by name. */
  domains(): Domain[] {
    return [...this.#domains.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The domains of one account, by name. */
  domainsOf(account: string): Domain[] {
    return this.domains().filter((d) => d.account === account);
  }

  /** The domain at or above `name` (canonical), or undefined. */
  domainFor(name: string): Domain | undefined {
    for (let n = name; n !== ''; n = parentName(n)) {
      const domain = this.#domains.get(n);
      if (domain) return domain;
    }
    return undefined;
  }

  /** Every token, by account then creation. */
  tokens(): Token[] {
    return [...this.#tokens.values()].sort((a, b) => a.account.localeCompare(b.account) || a.created.localeCompare(b.created));
  }

  /** The token stored under a digest, or undefined. */
  tokenByDigest(digest: string): Token | undefined {
    return this.#byDigest.get(digest);
  }

  /** The domains a token may update: its list, or all of its account's. */
  tokenDomains(token: Token): Domain[] {
    const own = this.domainsOf(token.account);
    return token.domains ? own.filter((d) => token.domains?.includes(d.name)) : own;
  }

  /** Adds an account. */
  addAccount(name: string, email: string | undefined, now = new Date()): DirectoryChange {
    if (!ACCOUNT_NAME.test(name)) {
      throw new UsageError(`account name "${name}" must be 1–64 lower-case letters, digits or . _ @ + - and start with a letter or digit`);
    }
    if (this.#accounts.has(name)) throw new ConflictError(`account "${name}" already exists`);
    if (email !== undefined && !/^[^\s@]+@[^\s@]+$/.test(email)) throw new UsageError(`"${email}" is not an e-mail address`);

    const account: Account = { name, created: now.toISOString(), ...(email ? { email: email.toLowerCase() } : {}) };
    this.#accounts.set(name, account);
    const { name: _, ...stored } = account;
    return { ops: [{ p: ['accounts', name], v: stored }], undo: () => this.#accounts.delete(name) };
  }

  /**
   * Gives a domain to an account. `inZone` tells whether a name lies in a
   * served zone. Domains never overlap, whoever owns them.
   */
  addDomain(name: string, account: string, inZone: (name: string) => boolean, now = new Date()): DirectoryChange {
    if (!isValidName(name)) throw new UsageError(`"${name}" is not a valid domain name`);
    if (!this.#accounts.has(account)) throw new NotFoundError(`no account "${account}"`);
    if (!inZone(name)) throw new UsageError(`"${name}" is not inside any zone this server serves`);
    const clash = [...this.#domains.keys()].find((d) => isAtOrBelow(name, d) || isAtOrBelow(d, name));
    if (clash) throw new ConflictError(`"${name}" overlaps the domain "${clash}"`);

    const domain: Domain = { name, account, created: now.toISOString() };
    this.#domains.set(name, domain);
    return { ops: [{ p: ['domains', name], v: { account, created: domain.created } }], undo: () => this.#domains.delete(name) };
  }

  /** Takes a domain away from its account. */
  removeDomain(name: string): DirectoryChange {
    const domain = this.#domains.get(name);
    if (!domain) throw new NotFoundError(`no domain "${name}"`);

    this.#domains.delete(name);
    return { ops: [{ p: ['domains', name] }], undo: () => this.#domains.set(name, domain) };
  }

  /** Stores a new token under the digest of its secret. */
  addToken(token: Token): DirectoryChange {
    if (!this.#accounts.has(token.account)) throw new NotFoundError(`no account "${token.account}"`);
    if (this.#byDigest.has(token.digest)) throw new ConflictError('a token with this secret already exists');
    const own = new Set(this.domainsOf(token.account).map((d) => d.name));
    const foreign = token.domains?.find((d) => !own.has(d));
    if (foreign !== undefined) throw new UsageError(`account "${token.account}" does not own the domain "${foreign}"`);
    const bad = token.subnets?.find((s) => !parseSubnet(s));
    if (bad !== undefined) throw new UsageError(`"${bad}" is not a subnet in CIDR notation`);

    this.#putToken(token);
    const { id, ...stored } = token;
    return { ops: [{ p: ['tokens', id], v: stored as unknown as Json }], undo: () => this.#dropToken(id) };
  }

  /** Revokes (deletes) a token by id. */
  revokeToken(id: string): DirectoryChange {
    const token = this.#tokens.get(id);
    if (!token) throw new NotFoundError(`no token with id "${id}"`);

    this.#dropToken(id);
    return { ops: [{ p: ['tokens', id] }], undo: () => this.#putToken(token) };
  }

  /** The persisted document of the directory, for a snapshot. */
  toDoc(): { accounts: Json; domains: Json; tokens: Json } {
    const strip = <T extends object, K extends keyof T>(items: T[], key: K) =>
      Object.fromEntries(items.map((item) => { const { [key]: k, ...rest } = item; return [String(k), rest]; }));
    return {
      accounts: strip(this.accounts(), 'name') as Json,
      domains: strip(this.domains(), 'name') as Json,
      tokens: strip(this.tokens(), 'id') as unknown as Json,
    };
  }

  #putToken(token: Token): void {
    this.#tokens.set(token.id, token);
    this.#byDigest.set(token.digest, token);
  }

  #dropToken(id: string): void {
    const token = this.#tokens.get(id);
    if (!token) return;
    this.#tokens.delete(id);
    this.#byDigest.delete(token.digest);
  }
}
