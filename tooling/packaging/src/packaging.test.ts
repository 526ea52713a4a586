// "Teams install individual packages": pack every public package with `pnpm pack`, install the
// tarballs with npm into a throwaway project outside the workspace, then import each package by
// name from plain Node ESM and type-check an import of it with TypeScript.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  type?: string;
  sideEffects?: boolean;
  files?: string[];
  exports?: Record<string, unknown>;
  engines?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const workspaceRoot = resolve(import.meta.dirname, '../../..');
const readManifest = (dir: string): Manifest => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
const publicPackages = readdirSync(join(workspaceRoot, 'packages'))
  .map((name) => join(workspaceRoot, 'packages', name))
  .map((dir) => ({ dir, manifest: readManifest(dir) }))
  .filter(({ manifest }) => manifest.private !== true);

let project = '';
const tarballs = new Map<string, string>();

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'sightline-packaging-'));
  const packDir = join(project, 'tarballs');
  for (const { dir, manifest } of publicPackages) {
    const out = execFileSync('pnpm', ['pack', '--pack-destination', packDir, '--json'], { cwd: dir, encoding: 'utf8' });
    const filename = (JSON.parse(out) as { filename: string }).filename;
    tarballs.set(manifest.name, filename.startsWith('/') ? filename : join(packDir, filename));
  }
  const fileSpecs = Object.fromEntries([...tarballs].map(([name, file]) => [name, `file:${file}`]));
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({
      name: 'sightline-packaging-check',
      private: true,
      type: 'module',
      dependencies: fileSpecs,
      // Sibling packages depend on each other by version; point those at the tarballs too.
      overrides: fileSpecs,
      devDependencies: { '@types/node': '^20.19.0' },
    }),
  );
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], { cwd: project, stdio: 'pipe' });
});

afterAll(() => {
  if (project !== '') rmSync(project, { recursive: true, force: true });
});

describe('public package manifests', () => {
  it.each(publicPackages.map((p) => [p.manifest.name, p] as const))('%s is publishable ESM with types', (_name, { manifest }) => {
    expect(manifest.type).toBe('module');
    expect(manifest.sideEffects).toBe(false);
    expect(manifest.engines?.node).toMatch(/>=\s*20/);
    expect(manifest.files).toContain('dist');
    expect(manifest.exports?.['.']).toEqual({ types: './dist/index.d.ts', default: './dist/index.js' });
    expect(manifest.exports?.['./package.json']).toBe('./package.json');
  });

  it('covers every public package (so a new package cannot skip this test)', () => {
    const own = readManifest(resolve(import.meta.dirname, '..'));
    for (const { manifest } of publicPackages) expect(own.devDependencies).toHaveProperty([manifest.name], 'workspace:*');
  });
});

describe('installed from tarballs outside the workspace', () => {
  it('ships dist with declarations and source maps, sources for the maps, and no tests', () => {
    for (const [name, file] of tarballs) {
      const listing = execFileSync('tar', ['-tzf', file], { encoding: 'utf8' }).split('\n');
      expect(listing).toContain('package/dist/index.js');
      expect(listing).toContain('package/dist/index.d.ts');
      expect(listing).toContain('package/dist/index.js.map');
      expect(listing).toContain('package/README.md');
      expect(listing.filter((f) => /\.test\.|tsbuildinfo/.test(f))).toEqual([]);
      expect(name.startsWith('@sightline/')).toBe(true);
    }
  });

  it('imports each package by name from plain Node ESM', () => {
    const lines = [...tarballs.keys()].map(
      (name, i) => `import * as m${i} from '${name}';\nif (Object.keys(m${i}).length === 0) throw new Error('${name} exports nothing');`,
    );
    writeFileSync(join(project, 'check.mjs'), `${lines.join('\n')}\nconsole.log('ok');\n`);
    const out = execFileSync(process.execPath, ['check.mjs'], { cwd: project, encoding: 'utf8' });
    expect(out.trim()).toBe('ok');
  });

  it('type-checks an import of each package with TypeScript (strict, NodeNext)', () => {
    const lines = [...tarballs.keys()].map((name, i) => `import * as m${i} from '${name}';\nexport const keys${i}: string[] = Object.keys(m${i});`);
    writeFileSync(join(project, 'check.ts'), `${lines.join('\n')}\n`);
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2023', strict: true, noEmit: true, types: ['node'], skipLibCheck: false },
        files: ['check.ts'],
      }),
    );
    const tsc = join(workspaceRoot, 'node_modules', '.bin', 'tsc');
    expect(() => execFileSync(tsc, ['-p', 'tsconfig.json'], { cwd: project, encoding: 'utf8', stdio: 'pipe' })).not.toThrow();
  });
});
