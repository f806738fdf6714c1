// ESLint for the TypeScript and Vue sources: the recommended JavaScript rules, typescript-eslint's
// strict set (no `any`, no non-null assertions), eslint-plugin-vue's recommended rules for the
// single-file components; formatting is Prettier's alone (eslint-config-prettier turns off
// the rules it would fight). Rules that need type information are not used: they would make
// `npm test` a minute slower, and `tsc --strict` already covers most of what they find.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import vue from 'eslint-plugin-vue';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // wasm/assembly is AssemblyScript (its own types and decorators), compiled by `npm run build:wasm`.
  { ignores: ['out/', 'dist/', 'artifacts/', 'node_modules/', 'src-main/engine/compute/wasm/assembly/', 'src-main/engine/strategies/wasm/assembly/'] },
  js.configs.recommended,
  tseslint.configs.strict,
  vue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
  },
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      // `_name` marks a parameter an interface requires and this implementation ignores.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      // Deleting a key from a fresh copy of a plain record (form state) is what we mean.
      '@typescript-eslint/no-dynamic-delete': 'off',
    },
  },
  prettier,
);
