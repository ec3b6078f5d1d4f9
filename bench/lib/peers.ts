/**
 * The shared peer harness (../shared/peers, beside the repository): its plain-JS kernels and the
 * GCN workload definition, imported at run time so the benchmark measures exactly what the peers
 * measured. Missing folder: a clear message and a non-zero exit.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const PEERS_DIR = fileURLToPath(new URL('../../../shared/peers/', import.meta.url));

type Kernel = (a: Float32Array, b: Float32Array, c: Float32Array, M: number, K: number, N: number) => void;
export interface PeerKernels {
  mmNaive: Kernel;
  mm4x4: Kernel;
  batched: (k: Kernel) => (a: Float32Array, b: Float32Array, c: Float32Array, Bt: number, M: number, K: number, N: number) => void;
}

export async function importPeer<T>(file: string): Promise<T> {
  const path = PEERS_DIR + file;
  if (!existsSync(path)) {
    console.error(`peer harness missing: ${path} not found (expected ../shared/peers beside the repository root)`);
    process.exit(2);
  }
  return (await import(path)) as T;
}

/** Quoted Python peer figures: the 'median GFLOP/s' table of ../shared/peers/results/tables.md. */
export function quotedPythonGflops(tablesMd: string): Map<string, Record<string, number>> {
  const out = new Map<string, Record<string, number>>();
  const start = tablesMd.indexOf('### fp32 matmul, median GFLOP/s');
  if (start < 0) return out;
  const lines = tablesMd.slice(start).split('\n');
  let header: string[] | null = null;
  for (const line of lines.slice(1)) {
    if (line.startsWith('###')) break;
    if (!line.startsWith('|')) continue;
    const cells = line.split('|').slice(1, -1).map((c) => c.trim());
    if (header === null) {
      header = cells;
      continue;
    }
    if (cells[0]?.startsWith('---')) continue;
    const row: Record<string, number> = {};
    header.forEach((h, i) => {
      if (i > 0 && /^(numpy|torch)-1t$/.test(h)) row[h] = Number(cells[i]);
    });
    out.set(cells[0]!, row);
  }
  return out;
}
