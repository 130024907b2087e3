import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import reactHooks from 'eslint-plugin-react-hooks'

export default tseslint.config(
  {
    ignores: [
      '.scratch/**',
      'out/**',
      'dist/**',
      'node_modules/**',
      'test-results/**',
      'playwright-report/**',
      '**/*.weights/**',
      'exports/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { console: 'readonly', process: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'warn' },
  },
  {
    // src/shared is pure TypeScript: the renderer, main, the trainer and the CLI all import it.
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['electron', 'electron/*'], message: 'src/shared must not import electron.' },
            {
              group: ['react', 'react-dom', 'react/*', '@xyflow/*'],
              message: 'src/shared must not import react.',
            },
            {
              group: ['node:*', 'fs', 'path', 'child_process', 'os', 'url', 'crypto'],
              message: 'src/shared must not import node modules.',
            },
            { group: ['@tensorflow/*'], message: 'src/shared must not import tfjs.' },
            {
              group: ['**/main/**', '**/renderer/**', '**/preload/**'],
              message: 'src/shared imports only src/shared.',
            },
          ],
        },
      ],
    },
  },
)
