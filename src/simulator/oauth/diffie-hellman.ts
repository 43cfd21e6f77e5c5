/**
 * The server half of IBKR's Diffie-Hellman exchange, in BigInt (node:crypto's DiffieHellman refuses small primes and
 * returns the shared secret left-padded to the prime's length, which is the wrong HMAC key for a third of all K):
 * B = g^b mod p with a fresh 256-bit b, K = A^b mod p, and K's bytes in Java `BigInteger.toByteArray` form.
 */
import { randomBytes } from 'node:crypto';

/** IBKR: "IB always uses generator = 2". */
export const DH_GENERATOR = 2n;

/**
 * RFC 3526 group 14 (2048-bit MODP): a well-known safe prime, so the simulator need not spend seconds generating one.
 * `openssl dhparam` with OpenSSL 3 writes it as `GROUP: modp_2048`.
 */
export const MODP_2048_PRIME = BigInt(
  '0x' +
    'FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B' +
    '302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1F' +
    'E649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB9ED529077096' +
    '966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3BE39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695' +
    '5817183995497CEA956AE515D2261898FA051015728E5A8AACAA68FFFFFFFFFFFFFFFF',
);

export function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let square = base % modulus;
  let rest = exponent;
  while (rest > 0n) {
    if (rest & 1n) result = (result * square) % modulus;
    square = (square * square) % modulus;
    rest >>= 1n;
  }
  return result;
}

/** A fresh 256-bit private exponent, never 0. */
export function randomPrivateExponent(): bigint {
  for (;;) {
    const value = BigInt(`0x${randomBytes(32).toString('hex')}`);
    if (value > 1n) return value;
  }
}

/** Java `BigInteger.toByteArray()` for a non-negative value: minimal big-endian bytes, a `00` when the top bit is set. */
export function javaBigIntegerBytes(value: bigint): Buffer {
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  const bytes = Buffer.from(hex, 'hex');
  return (bytes[0] as number) & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes;
}

/**
 * Reads the client's `diffie_hellman_challenge`: lower- or upper-case hex, any length (IBind sends it unpadded, so
 * odd lengths occur), and 1 < A < p − 1 (a challenge of 0, 1 or p − 1 would fix K to a known value).
 */
export function parseChallenge(text: string, prime: bigint): bigint | undefined {
  if (!/^[0-9a-fA-F]{1,2048}$/.test(text)) return undefined;
  const value = BigInt(`0x${text}`);
  return value > 1n && value < prime - 1n ? value : undefined;
}
