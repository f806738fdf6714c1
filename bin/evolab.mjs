#!/usr/bin/env -S node --disable-warning=ExperimentalWarning
// Entry point of the `evolab` command. Plain JavaScript so that it can check the Node version
// before loading the TypeScript sources (which Node >= 22.18 runs directly).
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(
    `evolab: needs Node >= 22.18, this is ${process.version}. Run it as \`npx evolab\` after \`npm install\` ` +
      '(which installs Node 22 from the npm registry into node_modules), or install Node 22.\n',
  );
  process.exit(2);
}
const { main } = await import('../src-main/cli/main.ts');
process.exitCode = await main(process.argv);
