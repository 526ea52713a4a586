import { parseArgs } from 'node:util';
import { CliError, EXIT } from './api-client.js';
import { QUERY_COMMANDS, usageError } from './commands.js';
import type { Format } from './output.js';

const DEFAULT_URL = process.env.SIGHTLINE_URL ?? 'http://127.0.0.1:4318';

const COMMON = `Common options:
  --url URL               server to talk to (default ${DEFAULT_URL}; env SIGHTLINE_URL)
  --format table|json     output format (default table)
  -h, --help              this help

Exit codes: 0 ok, 1 the command ran and failed (not ready, API error), 2 usage error,
3 the server could not be reached.`;

const SERVE_HELP = `sightline serve [--config FILE] [--port N] [--host HOST] [--demo]

Starts the server: OTLP/HTTP ingest on /v1/traces|metrics|logs, the API under /api/v1,
/metrics, /healthz, /readyz. Storage is PostgreSQL when DATABASE_URL is set, else embedded
PGlite in --data-dir (default .sightline-data).

  --config FILE   YAML/JSON configuration (see the app README); env SIGHTLINE_CONFIG
  --port N        listen port (default 4318, the OTLP/HTTP port)
  --host HOST     listen address (default 127.0.0.1)
  --data-dir DIR  PGlite data directory
  --demo          also run the demo workload (instrumented services sending OTLP here)`;

function mainHelp(): string {
  const lines = Object.entries(QUERY_COMMANDS).map(([name, c]) => `  ${name.padEnd(11)} ${c.summary}`);
  return `sightline <command> [options]

Commands:
  serve       Start the Sightline server.
${lines.join('\n')}

Run \`sightline <command> --help\` for a command's options.

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
    if (command === 'serve') {
      const { values } = parseArgs({ args: [...rest], strict: true, options: { config: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' }, 'data-dir': { type: 'string' }, demo: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
      if (values.help === true) {
        io.out(SERVE_HELP);
        return EXIT.ok;
      }
      const { serve } = await import('../serve.js');
      await serve({
        ...(values.config === undefined ? {} : { configFile: values.config }),
        ...(values.port === undefined ? {} : { port: values.port }),
        ...(values.host === undefined ? {} : { host: values.host }),
        ...(values['data-dir'] === undefined ? {} : { dataDir: values['data-dir'] }),
        demo: values.demo === true,
      });
      return EXIT.ok;
    }
    const spec = Object.hasOwn(QUERY_COMMANDS, command) ? QUERY_COMMANDS[command] : undefined;
    if (spec === undefined) usageError(`unknown command ${JSON.stringify(command)}; run \`sightline --help\``);
    const { values, positionals } = parseArgs({
      args: [...rest],
      strict: true,
      allowPositionals: (spec.positionals ?? 0) > 0,
      options: { ...spec.options, url: { type: 'string' }, format: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
    if (values.help === true) {
      const options = Object.entries(spec.options).map(([name, o]) => `  --${name.padEnd(14)} ${o.description}`);
      io.out(`${spec.usage}\n\n${spec.summary}\n${options.length > 0 ? `\n${options.join('\n')}\n` : ''}\n${COMMON}`);
      return EXIT.ok;
    }
    if (positionals.length > (spec.positionals ?? 0)) usageError(`too many arguments: ${positionals.join(' ')}`);
    const format = (values.format ?? 'table') as string;
    if (format !== 'table' && format !== 'json') usageError(`--format must be table or json, got ${JSON.stringify(format)}`);
    const stringValues = Object.fromEntries(Object.entries(values).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
    const result = await spec.run({ url: (values.url as string | undefined) ?? DEFAULT_URL, format: format as Format, values: stringValues, positionals });
    io.out(result.output);
    return result.exitCode;
  } catch (error) {
    if (error instanceof CliError) {
      io.err(`sightline: ${error.message}`);
      return error.exitCode;
    }
    // parseArgs reports unknown options and missing values with ERR_PARSE_ARGS_* codes.
    if (typeof (error as { code?: unknown }).code === 'string' && (error as { code: string }).code.startsWith('ERR_PARSE_ARGS')) {
      io.err(`sightline: ${(error as Error).message}; run \`sightline ${command ?? ''} --help\``);
      return EXIT.usage;
    }
    throw error;
  }
}
