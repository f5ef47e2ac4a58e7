/**
 * What each command takes and how its result is printed: the command
 * line's public contract in one table.
 */

/** How one command is called. */
export interface CommandSpec {
  /** Names of the positional arguments, in order. */
  positionals: string[];
  /** Options besides --config and --help. */
  options?: Record<string, 'string' | 'boolean'>;
  /** Option name → argument key of the command. */
  rename?: Record<string, string>;
  /** The positional `file` is read and passed as `text`. */
  readFile?: boolean;
  help: string;
  print?: (result: unknown) => string;
}

type Row = Record<string, unknown>;

function table(rows: Row[], columns: string[]): string {
  if (rows.length === 0) return '(none)';
  const cells = rows.map((r) => columns.map((c) => (Array.isArray(r[c]) ? (r[c] as string[]).join(',') : String(r[c] ?? '-'))));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => (row[i] as string).length)));
  const line = (values: string[]): string => values.map((v, i) => v.padEnd(widths[i] as number)).join('  ').trimEnd();
  return [line(columns.map((c) => c.toUpperCase())), ...cells.map(line)].join('\n');
}

const CONFIG = '  --config FILE   configuration file (default ./config.json, else the built-in default)';

/** Every command by name. */
export const SPECS: Record<string, CommandSpec> = {
  serve: {
    positionals: [],
    help: `Usage: dynzone serve [--config FILE]\n\nRuns the DNS server and the update endpoint in the foreground.\nStops on SIGTERM or SIGINT; SIGHUP re-reads the TLS certificate.\n\n${CONFIG}`,
  },
  'account add': {
    positionals: ['name'],
    options: { email: 'string' },
    rename: { email: 'email' },
    help: `Usage: dynzone account add NAME [--email E]\n\nCreates an account.\n\n  --email E       contact address; also accepted as the Basic user\n${CONFIG}`,
    print: (r) => `account ${(r as Row).account as string} added`,
  },
  'account list': {
    positionals: [],
    help: `Usage: dynzone account list\n\nLists the accounts.\n\n${CONFIG}`,
    print: (r) => table(r as Row[], ['name', 'email', 'created']),
  },
  'domain add': {
    positionals: ['name'],
    options: { account: 'string' },
    rename: { account: 'account' },
    help: `Usage: dynzone domain add NAME --account A\n\nGives the name NAME, and everything below it, to account A.\nNAME must lie inside a configured zone and not overlap another domain.\n\n${CONFIG}`,
    print: (r) => `domain ${(r as Row).domain as string} added to account ${(r as Row).account as string}`,
  },
  'domain list': {
    positionals: [],
    help: `Usage: dynzone domain list\n\nLists the domains and their accounts.\n\n${CONFIG}`,
    print: (r) => table(r as Row[], ['name', 'account', 'created']),
  },
  'domain remove': {
    positionals: ['name'],
    help: `Usage: dynzone domain remove NAME\n\nRemoves a domain and the A/AAAA records stored at and below it.\n\n${CONFIG}`,
    print: (r) => `domain ${(r as Row).removed as string} removed (${String((r as Row).records)} address record sets deleted)`,
  },
  'token create': {
    positionals: [],
    options: { account: 'string', name: 'string', domains: 'string', 'allowed-subnets': 'string', expires: 'string', 'secret-stdin': 'boolean' },
    rename: { account: 'account', name: 'tokenName', domains: 'domains', 'allowed-subnets': 'subnets', expires: 'expires' },
    help: [
      'Usage: dynzone token create --account A [--name N] [--domains d1,d2]',
      '         [--allowed-subnets c1,c2] [--expires ISO-8601] [--secret-stdin]',
      '',
      'Creates a token and prints its secret alone on standard output, once.',
      '',
      '  --name N               a label for the token',
      '  --domains d1,d2        the account domains it may update (default all)',
      '  --allowed-subnets c1   client CIDRs it is accepted from (default any)',
      '  --expires ISO-8601     when it stops working',
      '  --secret-stdin         read an existing secret from standard input instead',
      '                         (20-128 letters, digits, "-", "_", ".")',
      CONFIG,
    ].join('\n'),
    print: (r) => (r as Row).secret as string,
  },
  'token list': {
    positionals: [],
    help: `Usage: dynzone token list\n\nLists the tokens (never their secrets).\n\n${CONFIG}`,
    print: (r) => table(r as Row[], ['id', 'account', 'name', 'domains', 'subnets', 'expires']),
  },
  'token revoke': {
    positionals: ['id'],
    help: `Usage: dynzone token revoke ID\n\nRevokes a token at once.\n\n${CONFIG}`,
    print: (r) => `token ${(r as Row).revoked as string} revoked`,
  },
  'zone export': {
    positionals: ['zone'],
    help: `Usage: dynzone zone export ZONE\n\nWrites the zone in RFC 1035 presentation format to standard output.\n\n${CONFIG}`,
    print: (r) => (r as Row).text as string,
  },
  'zone import': {
    positionals: ['zone', 'file'],
    readFile: true,
    help: `Usage: dynzone zone import ZONE FILE\n\nAdds the records of a zone file to ZONE (SOA and apex NS are skipped:\nthey come from the configuration). A file with any bad line imports nothing.\n\n${CONFIG}`,
    print: (r) => `imported ${String((r as Row).rrsets)} record sets (${String((r as Row).skipped)} SOA/apex NS records skipped)`,
  },
  'record remove': {
    positionals: ['name', 'type'],
    help: `Usage: dynzone record remove NAME TYPE\n\nDeletes the TYPE records at NAME that an update or an import wrote.\nRecords from the configuration file stay; edit the file for those.\n\n${CONFIG}`,
    print: (r) => `${(r as Row).type as string} records at ${(r as Row).name as string} removed`,
  },
};

/** The overview shown by `dynzone --help`. */
export const HELP = [
  'Usage: dynzone COMMAND [options]',
  '',
  'Commands:',
  '  serve                         run the DNS server and the update endpoint',
  '  account add NAME [--email E]  create an account',
  '  account list                  list accounts',
  '  domain add NAME --account A   give a domain to an account',
  '  domain list                   list domains',
  '  domain remove NAME            remove a domain and its address records',
  '  token create --account A ...  create a token; prints the secret once',
  '  token list                    list tokens',
  '  token revoke ID               revoke a token',
  '  zone export ZONE              print a zone in zone-file format',
  '  zone import ZONE FILE         add the records of a zone file',
  '  record remove NAME TYPE       delete imported or updated records',
  '',
  'Every command takes --config FILE and --help; dynzone --version prints the version.',
].join('\n');
