// Every example in every README runs: each fenced ts/js block is written next to the package that
// owns the README (so its imports resolve as they would for that package's users) and run with tsx.
// A fenced `text` block right after it is the output the program must print.
import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { loadSloSpecs } from '@sightline/slo';

const repoRoot = resolve(import.meta.dirname, '../../..');
const tsxBin = join(repoRoot, 'node_modules', '.bin', 'tsx');
// The native compiler (@typescript/native): fast, and only its binary is needed.
const tscBin = join(repoRoot, 'node_modules', '.bin', 'tsc');
// tsx strips types without checking them, so TypeScript examples are also compiled, with the
// strictness of tooling/tsconfig/base.json, the way a user would paste them into a project.
const TSC_ARGS = [
  '--noEmit', '--ignoreConfig', '--skipLibCheck', '--target', 'es2023', '--lib', 'es2023', '--types', 'node',
  '--module', 'nodenext', '--moduleResolution', 'nodenext', '--strict', '--noUncheckedIndexedAccess',
  '--exactOptionalPropertyTypes', '--verbatimModuleSyntax', '--noImplicitReturns',
];
const RUN_TIMEOUT_MS = 60_000;

const RUNNABLE = new Set(['ts', 'typescript', 'js', 'mjs']);

interface CodeBlock {
  /** Repository-relative path of the markdown file. */
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  lang: string;
  code: string;
  /** The fenced `text` block that follows, when there is one: the expected stdout. */
  expectedOutput: string | undefined;
}

function markdownFiles(): string[] {
  const files = [join(repoRoot, 'README.md')];
  for (const parent of ['packages', 'apps', 'tooling']) {
    const dir = join(repoRoot, parent);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) {
      const readme = join(dir, name, 'README.md');
      if (existsSync(readme)) files.push(readme);
    }
  }
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      if (name === 'node_modules' || name.startsWith('.')) continue;
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.md')) files.push(path);
    }
  };
  if (existsSync(join(repoRoot, 'docs'))) walk(join(repoRoot, 'docs'));
  return files.filter(existsSync);
}

const FENCE = /^(`{3,}|~{3,})\s*([\w-]*)/;

/** Every fenced block of a markdown file, with the text block that follows each one. */
function parseCodeBlocks(file: string, markdown: string): CodeBlock[] {
  const lines = markdown.split('\n');
  const raw: { line: number; end: number; lang: string; code: string }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i] ?? '');
    if (open === null) continue;
    const fence = open[1] ?? '```';
    let end = i + 1;
    while (end < lines.length && !(lines[end] ?? '').trimEnd().startsWith(fence)) end++;
    raw.push({ line: i + 1, end, lang: (open[2] ?? '').toLowerCase(), code: lines.slice(i + 1, end).join('\n') });
    i = end;
  }
  return raw.map((block, index) => {
    const next = raw[index + 1];
    let expectedOutput: string | undefined;
    if (next !== undefined && next.lang === 'text') {
      // Between the two fences: blank lines and at most one short lead-in line ending in ':'.
      const between = lines.slice(block.end + 1, next.line - 1).filter((l) => l.trim() !== '');
      if (between.length === 0 || (between.length === 1 && between[0]!.trimEnd().endsWith(':'))) expectedOutput = next.code;
    }
    return { file, line: block.line, lang: block.lang, code: block.code, expectedOutput };
  });
}

const harnessDir = resolve(import.meta.dirname, '..');

/**
 * Where a file's examples run: the nearest package with a package.json. Files of the root (its
 * README, docs/) run from this package, which depends on every @sightline package: the root
 * only orchestrates and has none of them.
 */
function owningPackage(file: string): string {
  let dir = dirname(file);
  while (!existsSync(join(dir, 'package.json')) && dir !== repoRoot) dir = dirname(dir);
  return dir === repoRoot ? harnessDir : dir;
}

const normalize = (text: string): string =>
  text
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n')
    .trim();

interface RunResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

function run(file: string, args: readonly string[], cwd: string): Promise<RunResult> {
  return new Promise<RunResult>((resolvePromise) => {
    execFile(
      file,
      args,
      {
        cwd,
        timeout: RUN_TIMEOUT_MS,
        killSignal: 'SIGKILL',
        maxBuffer: 16 * 1024 * 1024,
        env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', NODE_OPTIONS: '' },
      },
      (error, stdout, stderr) => {
        const exit = error as (Error & { code?: number | string; signal?: string }) | null;
        resolvePromise({
          code: exit === null ? 0 : typeof exit.code === 'number' ? exit.code : null,
          signal: exit?.signal ?? null,
          stdout,
          stderr,
        });
      },
    );
  });
}

/** Type-checks (TypeScript blocks) and runs one example; `typeErrors` is empty when it compiles. */
async function runExample(block: CodeBlock): Promise<RunResult & { typeErrors: string }> {
  const packageDir = owningPackage(join(repoRoot, block.file));
  const isTypeScript = block.lang === 'ts' || block.lang === 'typescript';
  const script = join(packageDir, `.readme-example-${block.line}-${process.pid}.${isTypeScript ? 'mts' : 'mjs'}`);
  // The working directory is a fresh temp dir: files the example writes (logs, journals) land there.
  const cwd = mkdtempSync(join(tmpdir(), 'sightline-readme-'));
  writeFileSync(script, `${block.code}\n`);
  try {
    const typeErrors = isTypeScript ? (await run(tscBin, [...TSC_ARGS, script], packageDir)).stdout.trim() : '';
    return { ...(await run(tsxBin, [script], cwd)), typeErrors };
  } finally {
    rmSync(script, { force: true });
    rmSync(cwd, { recursive: true, force: true });
  }
}

const blocks = markdownFiles().flatMap((path) => parseCodeBlocks(relative(repoRoot, path), readFileSync(path, 'utf8')));
const runnable = blocks.filter((b) => RUNNABLE.has(b.lang));

describe('README examples', () => {
  it('finds examples to run', () => {
    expect(runnable.length).toBeGreaterThan(0);
  });

  it.concurrent.each(runnable.map((b) => [`${b.file}:${b.line}`, b] as const))('%s runs', async (_name, block) => {
    const result = await runExample(block);
    const report = `exit ${String(result.code)}${result.signal === null ? '' : ` (${result.signal})`}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
    // One assertion that shows the whole run when it fails.
    expect(result.code === 0 && result.stderr === '' ? 'exit 0, empty stderr' : report).toBe('exit 0, empty stderr');
    if (block.expectedOutput !== undefined) expect(normalize(result.stdout)).toBe(normalize(block.expectedOutput));
    expect(result.typeErrors).toBe('');
  });
});

describe('SLO specs in the @sightline/slo README', () => {
  const specs = blocks.filter(
    (b) => b.file === join('packages', 'slo', 'README.md') && b.lang === 'yaml' && /^(slos:|apiVersion: openslo\/)/m.test(b.code),
  );

  it('has specs to load', () => {
    expect(specs.length).toBeGreaterThan(0);
  });

  it.each(specs.map((b) => [`${b.file}:${b.line}`, b] as const))('%s loads with loadSloSpecs', (_name, block) => {
    expect(loadSloSpecs(block.code).length).toBeGreaterThan(0);
  });
});
