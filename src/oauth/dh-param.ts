/**
 * Reads the Diffie-Hellman prime from what users have: the `dhparam.pem` of `openssl dhparam -out dhparam.pem 2048`
 * (the DER `SEQUENCE { INTEGER p, INTEGER g }` inside), the text of `openssl dhparam -text` with its `P:` block, or
 * plain hex. OpenSSL 3 prints well-known groups as `GROUP: modp_2048` with no `P:` block, so the PEM is decoded rather
 * than the text scraped; a text with only that group name maps to RFC 3526's 2048-bit MODP group.
 */
import { parseHexInteger } from './diffie-hellman.js';

/** RFC 3526 §3, the 2048-bit MODP group (group 14): what OpenSSL 3 calls `modp_2048`. */
export const MODP_2048_PRIME_HEX =
  'ffffffffffffffffc90fdaa22168c234c4c6628b80dc1cd129024e088a67cc74020bbea63b139b22514a08798e3404ddef9519b3cd3a431b302b0a6df25f14374fe1356d6d51c245e485b576625e7ec6f44c42e9a637ed6b0bff5cb6f406b7edee386bfb5a899fa5ae9f24117c4b1fe649286651ece45b3dc2007cb8a163bf0598da48361c55d39a69163fa8fd24cf5f83655d23dca3ad961c62f356208552bb9ed529077096966d670c354e4abc9804f1746c08ca18217c32905e462e36ce3be39e772c180e86039b2783a2ec07a28fb5c55df06f4c52c9de2bcbf6955817183995497cea956ae515d2261898fa051015728e5a8aacaa68ffffffffffffffff';

export interface DhParameters {
  readonly prime: bigint;
  readonly generator: bigint;
}

export class DhParamError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DhParamError';
  }
}

export function readDhParam(text: string): DhParameters {
  const pem = /-----BEGIN DH PARAMETERS-----([\s\S]*?)-----END DH PARAMETERS-----/.exec(text);
  if (pem) return parseDer(Buffer.from(pem[1]!.replace(/\s/g, ''), 'base64'));
  const block = /(?:^|\n)\s*(?:prime|P):\s*\n((?:[\s0-9a-fA-F:]+\n?)+)/.exec(text);
  if (block) {
    const prime = parseHexInteger(block[1]!);
    if (prime !== undefined) return { prime, generator: 2n };
  }
  if (/GROUP:\s*modp_2048\b/.test(text)) return { prime: BigInt(`0x${MODP_2048_PRIME_HEX}`), generator: 2n };
  const hex = parseHexInteger(text);
  if (hex !== undefined) return { prime: hex, generator: 2n };
  throw new DhParamError('neither a DH PARAMETERS PEM, nor `openssl dhparam -text` output, nor hex');
}

/** Minimal DER: a SEQUENCE whose first two elements are INTEGERs (PKCS #3 DHParameter, RFC 2631 also starts so). */
function parseDer(der: Buffer): DhParameters {
  const reader = { offset: 0 };
  const sequence = readElement(der, reader, 0x30);
  const inner = { offset: 0 };
  const prime = readInteger(sequence, inner);
  const generator = readInteger(sequence, inner);
  if (prime < 3n) throw new DhParamError('the DH prime in the PEM is not a prime');
  return { prime, generator };
}

function readInteger(der: Buffer, reader: { offset: number }): bigint {
  const bytes = readElement(der, reader, 0x02);
  if (bytes.length === 0) throw new DhParamError('empty INTEGER in the DH PARAMETERS');
  return BigInt(`0x${bytes.toString('hex')}`);
}

function readElement(der: Buffer, reader: { offset: number }, tag: number): Buffer {
  if (der[reader.offset] !== tag) throw new DhParamError('the DH PARAMETERS PEM is not a DER SEQUENCE of INTEGERs');
  let length = der[reader.offset + 1];
  let start = reader.offset + 2;
  if (length === undefined) throw new DhParamError('truncated DH PARAMETERS');
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4) throw new DhParamError('unsupported DER length in the DH PARAMETERS');
    length = 0;
    for (let index = 0; index < count; index++) length = length * 256 + (der[start + index] ?? 0);
    start += count;
  }
  const end = start + length;
  if (end > der.length) throw new DhParamError('truncated DH PARAMETERS');
  reader.offset = end;
  return der.subarray(start, end);
}
