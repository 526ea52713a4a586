import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The Sightline lint rules: eslint + typescript-eslint recommended, plus the house rules from
 * docs/style.md that a linter can see (no default exports in sources, no `any` at all, no
 * unused code, type-only imports marked).
 */
export const config = tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/coverage/**', '**/*.d.ts', '**/.readme-example-*'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportDefaultDeclaration', message: 'Use named exports (docs/style.md).' },
      ],
      eqeqeq: ['error', 'always'],
    },
  },
  {
    // Tool configuration files (vite.config.ts, ...) must default-export by the tools' contract.
    files: ['**/*.config.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
