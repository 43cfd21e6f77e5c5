/** Nonce and timestamp of one signed request: injectable so tests can reproduce the reference vectors. */
import { randomInt } from 'node:crypto';

const NONCE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** 16 characters from `[A-Za-z0-9]` drawn with the CSPRNG, as IBind does: unreserved, so never encoded. */
export function randomNonce(): string {
  let nonce = '';
  for (let index = 0; index < 16; index++) nonce += NONCE_ALPHABET[randomInt(NONCE_ALPHABET.length)];
  return nonce;
}

/** OAuth timestamps are whole seconds since the epoch (IBKR's guide says milliseconds; every client sends seconds). */
export function oauthTimestamp(nowMs: number): string {
  return String(Math.floor(nowMs / 1000));
}
