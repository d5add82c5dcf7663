// @ts-check
const tseslint = require('typescript-eslint');
const { architectureConfig } = require('./tools/eslint/architecture');

module.exports = tseslint.config(
  { ignores: ['dist/**', 'libs/*/dist/**', 'node_modules/**', 'coverage/**', '.data/**', 'bench/results/**', 'tools/eslint/fixtures/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // No consistent-type-imports: Nest's DI reads constructor parameter types
      // from decorator metadata, which a type-only import would erase.
    },
  },
  ...architectureConfig(__dirname, `${__dirname}/tsconfig.json`),
  {
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', process: 'readonly', console: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
