/**
 * A `dhparam.pem` (PKCS#3 `DHParameter ::= SEQUENCE { prime INTEGER, base INTEGER }`, the file `openssl dhparam`
 * writes) for a known group, encoded by hand: a few lines of DER instead of a dependency.
 */

export function dhParamPem(prime: bigint, generator: bigint): string {
  const der = derSequence([derInteger(prime), derInteger(generator)]);
  const base64 = der
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '');
  return `-----BEGIN DH PARAMETERS-----\n${base64}\n-----END DH PARAMETERS-----\n`;
}

function derInteger(value: bigint): Buffer {
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  let content = Buffer.from(hex, 'hex');
  // DER integers are signed: a set top bit needs a leading zero byte.
  if ((content[0] as number) & 0x80) content = Buffer.concat([Buffer.from([0]), content]);
  return Buffer.concat([Buffer.from([0x02]), derLength(content.length), content]);
}

function derSequence(items: readonly Buffer[]): Buffer {
  const content = Buffer.concat(items);
  return Buffer.concat([Buffer.from([0x30]), derLength(content.length), content]);
}

function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest >>= 8) bytes.unshift(rest & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
