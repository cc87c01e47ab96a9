#!/usr/bin/env node
// Entry of the `shazam` CLI. In a clone (tsx installed as a dev dependency) it runs the TypeScript sources, so
// an edit is never shadowed by an old build; in the container images (dev dependencies pruned) it runs the
// compiled dist/.
let tsx;
try {
  tsx = await import('tsx/esm/api');
} catch {
  tsx = undefined;
}
let cli;
if (tsx) {
  tsx.register();
  cli = await import('../cli/main.ts');
} else {
  cli = await import('../dist/cli/main.js');
}
await cli.runProcess();
