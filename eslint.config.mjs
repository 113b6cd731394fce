import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'reports/**', 'k6/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      'no-console': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Apps never import each other, and packages are consumed only through their index and the subpath exports
      // their READMEs document.
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            '@mserve/*/*',
            '!@mserve/uncertainty/fit',
            '!@mserve/model-runtime/eval',
            '!@mserve/model-runtime/describe',
            '!@mserve/model-runtime/repository',
            '**/apps/*',
            '../../apps/*',
            '../../../apps/*',
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: {
      globals: { module: 'writable', require: 'readonly', __dirname: 'readonly', process: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
