/**
 * `prednas version` / `prednas --version`: the version of the installed package, read from its
 * package.json. This file sits at src/cli/commands/ from source and at dist/cli/commands/ in the
 * built or installed package, so ../../../package.json is the package's own manifest either way.
 * Only the CLI layer reads it; the core gets the version as a parameter (it imports no Node
 * built-ins).
 */
import { readFileSync } from 'node:fs';
import type { Ctx } from '../context.js';

let cached: string | undefined;

export function packageVersion(): string {
  if (cached !== undefined) return cached;
  const url = new URL('../../../package.json', import.meta.url);
  let manifest: { name?: unknown; version?: unknown };
  try {
    manifest = JSON.parse(readFileSync(url, 'utf8')) as typeof manifest;
  } catch (e) {
    throw new Error(`cannot read prednas's own package.json at ${url.pathname} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (manifest.name !== 'prednas' || typeof manifest.version !== 'string') {
    throw new Error(`${url.pathname} is not prednas's package.json (expected name "prednas" and a version string, got name ${JSON.stringify(manifest.name)})`);
  }
  cached = manifest.version;
  return cached;
}

export const VERSION_FLAGS = {} as const;

export const VERSION_HELP = `prednas version — the installed prednas version (also: prednas --version)

Usage: prednas version [--json]

Prints the version alone (e.g. 0.1.0); with --json: {"name","version","node"}. The same version is
recorded in every results.json (field "prednas"), table caption and journal header that this
prednas writes.
`;

export function version(ctx: Ctx): void {
  const v = packageVersion();
  ctx.out(ctx.json ? JSON.stringify({ name: 'prednas', version: v, node: process.version }) : v);
}
