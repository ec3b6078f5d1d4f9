/** SHA-256 in hex (Node's crypto): the digest the evaluation cache, the journal snapshot and run ids use. */
import { createHash } from 'node:crypto';

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
