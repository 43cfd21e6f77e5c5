/** First-party OAuth 1.0a for IBKR's Web API (docs/OAUTH.md): pure, `node:crypto` only. */
export { quotePlus } from './percent-encode.js';
export { signatureBaseString, type BaseStringInput } from './base-string.js';
export { authorizationHeader } from './authorization-header.js';
export { randomNonce, oauthTimestamp } from './nonce.js';
export {
  DH_GENERATOR,
  dhChallenge,
  dhSharedSecret,
  javaBytes,
  modPow,
  parseHexInteger,
  randomDhExponent,
  toHex,
} from './diffie-hellman.js';
export { deriveLiveSessionToken, liveSessionTokenIsValid } from './live-session-token.js';
export { decryptAccessTokenSecret, SecretDecryptionError } from './access-token-secret.js';
export { readDhParam, DhParamError, MODP_2048_PRIME_HEX, type DhParameters } from './dh-param.js';
export { readRsaPrivateKey, KeyReadError, type PrivateKeyInput } from './keys.js';
export { rsaSha256Signature, hmacSha256Signature } from './signatures.js';
export { OAuthCredentials, type OAuthOptions } from './credentials.js';
export {
  buildLstRequest,
  completeLstRequest,
  lstBaseString,
  lstRequestParams,
  type LstOutcome,
  type LstRequest,
  type LstRequestInput,
} from './lst-request.js';
export {
  signedRequestAuthorization,
  signedRequestBaseString,
  signedRequestParams,
  type SignedRequestInput,
} from './signed-request.js';
