/**
 * The Diffie-Hellman half of the live-session-token exchange, in BigInt: A = g^a mod p goes to IBKR as hex, B comes
 * back, K = B^a mod p is the HMAC key that derives the token.
 *
 * Why not `crypto.createDiffieHellman`: it refuses primes below 512 bits (the published toy vector has 256), and its
 * `computeSecret()` left-pads K to the prime's length, while IBKR keys the HMAC with Java's `BigInteger.toByteArray(K)`
 * (minimal bytes plus a sign byte): that differs whenever K has 2048 bits or fewer than 2041. A 2048-bit modulus with a
 * 256-bit exponent costs a few milliseconds, once a day.
 */
import { randomBytes } from 'node:crypto';

/** IBKR always uses generator 2 (IBKR's sample: "IB always uses generator = 2"). */
export const DH_GENERATOR = 2n;

export function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = base % modulus;
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % modulus;
    e >>= 1n;
    b = (b * b) % modulus;
  }
  return result;
}

/** A fresh 256-bit private exponent from the CSPRNG (IBind: `secrets.randbits(256)`), never zero. */
export function randomDhExponent(): bigint {
  for (;;) {
    const value = BigInt(`0x${randomBytes(32).toString('hex')}`);
    if (value > 1n) return value;
  }
}

/** Lower-case hex without `0x` and without zero-padding (Python `hex(x)[2:]`): it can be odd-length, and it is signed. */
export function toHex(value: bigint): string {
  return value.toString(16);
}

/** Parses hex that may carry `0x`, colons or whitespace (as `openssl dhparam -text` prints it). */
export function parseHexInteger(text: string): bigint | undefined {
  const clean = text.replace(/[\s:]/g, '').replace(/^0x/i, '');
  if (clean === '' || !/^[0-9a-fA-F]+$/.test(clean)) return undefined;
  return BigInt(`0x${clean}`);
}

/** Java `BigInteger.toByteArray()` of a non-negative integer: minimal big-endian bytes, `00` first if the top bit is set. */
export function javaBytes(value: bigint): Buffer {
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  const bytes = Buffer.from(hex, 'hex');
  return (bytes[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes;
}

export function dhChallenge(prime: bigint, exponent: bigint): string {
  return toHex(modPow(DH_GENERATOR, exponent, prime));
}

/** K from IBKR's `diffie_hellman_response`; undefined when B is not a usable public value (0, 1, p−1, ≥ p, not hex). */
export function dhSharedSecret(prime: bigint, exponent: bigint, responseHex: string): bigint | undefined {
  if (!/^[0-9a-fA-F]+$/.test(responseHex)) return undefined;
  const response = BigInt(`0x${responseHex}`);
  if (response <= 1n || response >= prime - 1n) return undefined;
  return modPow(response, exponent, prime);
}
