/** The OAuth options' validation, run once when the simulator starts (the defaults live in SIMULATOR_DEFAULTS). */
import type { OAuthConsumerMaterial } from './consumer-material.js';

/**
 * The OAuth fields of the resolved simulator options, declared here rather than imported from ../options.js: that
 * module calls this one, and a type import back would close a cycle.
 */
export interface OAuthOptionsToValidate {
  readonly oauthLstLifetimeMs: number;
  readonly oauthLenient: boolean;
  readonly oauthRevokePreviousLst: boolean;
  readonly oauthCloseSocketsOnLstExpiry: boolean;
  readonly oauthBaseUrls: readonly string[] | undefined;
  readonly oauthMaterial: OAuthConsumerMaterial | undefined;
}

const MATERIAL_FIELDS = [
  'consumerKey',
  'accessToken',
  'accessTokenSecret',
  'accessTokenSecretPlainHex',
  'realm',
  'signatureKey',
  'signaturePublicKey',
  'encryptionKey',
  'encryptionPublicKey',
  'dhPrime',
  'dhParamPem',
] as const;

export function validateOAuthOptions(options: OAuthOptionsToValidate): void {
  const lifetime = options.oauthLstLifetimeMs;
  if (!Number.isSafeInteger(lifetime) || lifetime < 1)
    throw new RangeError(`simulator option oauthLstLifetimeMs must be a positive integer, got ${String(lifetime)}`);
  for (const key of ['oauthLenient', 'oauthRevokePreviousLst', 'oauthCloseSocketsOnLstExpiry'] as const) {
    if (typeof options[key] !== 'boolean') throw new RangeError(`simulator option ${key} must be a boolean`);
  }
  for (const origin of options.oauthBaseUrls ?? []) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (parsed === undefined || parsed.protocol !== 'https:' || parsed.origin !== origin) {
      throw new RangeError(
        `simulator option oauthBaseUrls expects origins such as https://host:port (no path), got ${String(origin)}`,
      );
    }
  }
  const material = options.oauthMaterial as unknown as Record<string, unknown> | undefined;
  if (material !== undefined) {
    for (const field of MATERIAL_FIELDS) {
      // The field name only: the values are secrets.
      if (typeof material[field] !== 'string' || material[field] === '')
        throw new RangeError(`simulator option oauthMaterial.${field} must be a non-empty string`);
    }
  }
}
