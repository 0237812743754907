import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const pureLayers = ['src/engine/**/*.ts', 'src/data/**/*.ts', 'src/model/**/*.ts', 'src/train/**/*.ts', 'src/bridge/**/*.ts'];

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', 'media/**', '.test-artifacts/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-constant-condition': ['error', { checkLoops: false }],
      'no-self-compare': 'off',
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    // The layering rule of shared/DESIGN.md: pure layers never import vscode or touch the DOM.
    files: pureLayers,
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'engine/data/model/train/bridge are pure: no vscode import.' }] }],
      'no-restricted-globals': [
        'error',
        { name: 'window', message: 'pure layer: no DOM' },
        { name: 'document', message: 'pure layer: no DOM' },
        { name: 'navigator', message: 'pure layer: no DOM' },
        { name: 'HTMLElement', message: 'pure layer: no DOM' },
      ],
    },
  },
  {
    files: ['src/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'the engine is pure' }],
          patterns: [{ group: ['../data/*', '../model/*', '../train/*', '../cli/*', '../extension/*', '../../webview/*'], message: 'the engine imports nothing of ours' }],
        },
      ],
    },
  },
);
