import { SightlineError } from '@sightline/core';
import { parseArgs } from 'node:util';
import { APP_VERSION } from '../version.js';
import { CliError, EXIT } from './api-client.js';
import { QUERY_COMMANDS, usageError } from './commands.js';
import type { Format } from './output.js';

const DEFAULT_URL = process.env.SIGHTLINE_URL ?? 'http://127.0.0.1:4318';

const COMMON = `Common options:
  --url URL               server to talk to (default ${DEFAULT_URL}; env SIGHTLINE_URL)
  --format table|json     output format (default table)
  -h, --help              this help

Exit codes: 0 ok, 1 the command ran and failed (not ready, API error), 2 usage error,
3 the server could not be reached. Errors are one line; SIGHTLINE_DEBUG=1 adds the stack
of unexpected ones.`;

const SERVE_HELP = `sightline serve [--config FILE] [--port N] [--host HOST] [--demo]

Starts the server: OTLP/HTTP ingest on /v1/traces|metrics|logs, the API under /api/v1,
/metrics, /healthz, /readyz. Storage is PostgreSQL when DATABASE_URL is set, else embedded
PGlite in --data-dir (default .sightline-data).

  --config FILE   YAML/JSON configuration (see the app README); env SIGHTLINE_CONFIG
  --port N        listen port, 0 to 65535 (default 4318, the OTLP/HTTP port); env SIGHTLINE_PORT
  --host HOST     listen address (default 127.0.0.1)
  --data-dir DIR  PGlite data directory
  --demo          also run the demo workload (instrumented services sending OTLP here)

Flags win over the environment, which wins over the file.`;

function mainHelp(): string {
  const lines = Object.entries(QUERY_COMMANDS).map(([name, c]) => `  ${name.padEnd(11)} ${c.summary}`);
  return `sightline <command> [options]

Commands:
  serve       Start the Sightline server.
${lines.join('\n')}

Run \`sightline <command> --help\` for a command's options; \`sightline --version\` (-v) prints the version.

${COMMON}`;
}

/** Runs the CLI with `argv` (without node and script); returns the exit code. */
export async function runCli(argv: readonly string[], io: { out: (s: string) => void; err: (s: string) => void }): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
      io.out(mainHelp());
      return command === undefined ? EXIT.usage : EXIT.ok;
    }
    if (command === '-v' || command === '--version') {
      io.out(APP_VERSION);
      return EXIT.ok;
    }
    if (command.startsWith('-')) usageError(`unknown flag ${command}; see sightline --help`);
    if (command === 'serve') {
      const { values } = parseArgs({ args: acceptBooleanValues(rest, ['demo']), strict: true, options: { config: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' }, 'data-dir': { type: 'string' }, demo: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
      if (values.help === true) {
        io.out(SERVE_HELP);
        return EXIT.ok;
      }
      if (values.port !== undefined && !(/^\d+$/.test(values.port) && Number(values.port) <= 65_535)) usageError(`--port must be an integer from 0 to 65535, got ${JSON.stringify(values.port)}`);
      const { serve } = await import('../serve.js');
      await serve({
        ...(values.config === undefined ? {} : { configFile: values.config }),
        ...(values.port === undefined ? {} : { port: Number(values.port) }),
        ...(values.host === undefined ? {} : { host: values.host }),
        ...(values['data-dir'] === undefined ? {} : { dataDir: values['data-dir'] }),
        demo: values.demo === true,
      });
      return EXIT.ok;
    }
    const spec = Object.hasOwn(QUERY_COMMANDS, command) ? QUERY_COMMANDS[command] : undefined;
    if (spec === undefined) usageError(`unknown command ${JSON.stringify(command)}; see sightline --help`);
    const booleans = Object.keys(spec.options).filter((name) => spec.options[name]!.type === 'boolean');
    const { values, positionals } = parseArgs({
      args: acceptBooleanValues(rest, booleans),
      strict: true,
      allowPositionals: (spec.positionals ?? 0) > 0,
      options: { ...spec.options, url: { type: 'string' }, format: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
    if (values.help === true) {
      const options = Object.entries(spec.options).map(([name, o]) => `  --${name.padEnd(14)} ${o.description}`);
      io.out(`${spec.usage}\n\n${spec.summary}\n${options.length > 0 ? `\n${options.join('\n')}\n` : ''}\n${COMMON}`);
      return EXIT.ok;
    }
    if (positionals.length > (spec.positionals ?? 0)) usageError(`too many arguments for "${command}": ${positionals.join(' ')}; see sightline ${command} --help`);
    const format = (values.format ?? 'table') as string;
    if (format !== 'table' && format !== 'json') usageError(`--format must be table or json, got ${JSON.stringify(format)}`);
    // Boolean flags arrive as "true", the form the API's query parameters take.
    const stringValues = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v === true ? 'true' : v]).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
    const result = await spec.run({ url: (values.url as string | undefined) ?? DEFAULT_URL, format: format as Format, values: stringValues, positionals });
    io.out(result.output);
    return result.exitCode;
  } catch (error) {
    if (error instanceof CliError) {
      io.err(`sightline: ${error.message}`);
      return error.exitCode;
    }
    // parseArgs reports unknown options and missing values with ERR_PARSE_ARGS_* codes.
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
      io.err(`sightline: ${describeParseError(code, (error as Error).message, command ?? '')}`);
      return EXIT.usage;
    }
    // Anything else is a bug or an environment problem: one line for the user, the stack on request.
    if (process.env.SIGHTLINE_DEBUG) io.err(String((error as Error).stack ?? error));
    else io.err(`sightline: ${error instanceof SightlineError ? `${error.code}: ` : ''}${error instanceof Error ? error.message : String(error)}`);
    return EXIT.failed;
  }
}

/** parseArgs' complaint in the CLI's words, with the flag or argument it is about. */
function describeParseError(code: string, message: string, command: string): string {
  // parseArgs quotes what it complains about: '--foo', '--since <value>', 'extra'.
  const quoted = /'([^']*)'/.exec(message)?.[1]?.split(' ')[0] ?? '';
  const seeHelp = `see sightline ${command} --help`;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown flag ${quoted} for "${command}"; ${seeHelp}`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') return `${quoted} ${message.includes('argument missing') ? 'needs a value' : 'takes no value'}; ${seeHelp}`;
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return `unexpected argument ${JSON.stringify(quoted)} for "${command}"; ${seeHelp}`;
  return `${message}; ${seeHelp}`;
}

/**
 * Boolean flags stand alone (`--errors`), and also take an explicit `true`/`false`
 * (`--errors true`, `--errors=false`) as the docs once showed; the result is what parseArgs expects.
 */
function acceptBooleanValues(args: readonly string[], booleans: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') return [...out, ...args.slice(i)];
    const [flag = '', inline] = arg.split(/=(.*)/s);
    if (!flag.startsWith('--') || !booleans.includes(flag.slice(2))) {
      out.push(arg);
      continue;
    }
    const next = args[i + 1];
    const value = inline ?? (next === 'true' || next === 'false' ? args[++i] : 'true');
    if (value === 'true') out.push(flag);
    else if (value !== 'false') out.push(arg);
  }
  return out;
}
