#!/usr/bin/env node
// Entry of the `shazam` CLI. Runs the compiled build when present (container images), else the
// TypeScript sources through tsx (a clone).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const compiled = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
let cli;
if (existsSync(compiled)) {
  cli = await import(compiled);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import('../cli/main.ts');
}
await cli.runProcess();
