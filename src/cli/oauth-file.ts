/**
 * `--oauth FILE`: the credentials of the direct OAuth path as JSON (docs/OAUTH.md):
 *   {"consumerKey", "accessToken", "accessTokenSecret", "signatureKeyFile", "encryptionKeyFile",
 *    "dhPrime" | "dhParamFile", "realm"?}
 * with file paths relative to FILE's folder. Everything is checked here, before any request: a missing or malformed
 * file, a key that does not parse, a secret that does not decrypt is a UsageError (exit 2) naming the field, never
 * its value. What only IBKR can tell (an unknown consumer, a refused signature) surfaces later as an `error`.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { IbkrWsError } from '../errors.js';
import { OAuthCredentials, readDhParam, DhParamError, type OAuthOptions } from '../oauth/index.js';
import { UsageError } from './io.js';

const FIELDS = [
  'consumerKey',
  'accessToken',
  'accessTokenSecret',
  'signatureKeyFile',
  'encryptionKeyFile',
  'dhPrime',
  'dhParamFile',
  'realm',
];
/** Which FILE field an `oauth.*` option came from, for messages in the FILE's own terms. */
const OPTION_TO_FIELD: Readonly<Record<string, string>> = {
  'oauth.signatureKey': 'signatureKeyFile',
  'oauth.encryptionKey': 'encryptionKeyFile',
  'oauth.dhPrime': 'dhPrime/dhParamFile',
};

export function readOAuthFile(path: string): OAuthOptions {
  const where = `--oauth ${path}`;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`${where}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the text around the error, which may be a secret.
    throw new UsageError(`${where}: not valid JSON`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new UsageError(`${where}: must be a JSON object`);
  const record = json as Record<string, unknown>;
  const unknown = Object.keys(record).filter((key) => !FIELDS.includes(key));
  if (unknown.length > 0)
    throw new UsageError(`${where}: unknown field(s) ${unknown.join(', ')} (expected ${FIELDS.join(', ')})`);
  const folder = dirname(resolve(path));
  const string = (field: string, required = true): string | undefined => {
    const value = record[field];
    if (value === undefined && !required) return undefined;
    if (typeof value !== 'string' || value.trim() === '')
      throw new UsageError(`${where}: "${field}" must be a non-empty string`);
    return value;
  };
  const file = (field: string): string => {
    const name = string(field)!;
    try {
      return readFileSync(resolve(folder, name), 'utf8');
    } catch (error) {
      throw new UsageError(
        `${where}: "${field}" names a file that cannot be read: ${name} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
  };
  if ((record['dhPrime'] === undefined) === (record['dhParamFile'] === undefined)) {
    throw new UsageError(`${where}: give exactly one of "dhPrime" (hex) and "dhParamFile" (a dhparam.pem)`);
  }
  let dhPrime: string | bigint;
  if (record['dhParamFile'] !== undefined) {
    try {
      dhPrime = readDhParam(file('dhParamFile')).prime;
    } catch (error) {
      if (error instanceof DhParamError)
        throw new UsageError(`${where}: "dhParamFile" is not a DH parameters file: ${error.message}`);
      throw error;
    }
  } else dhPrime = string('dhPrime')!;
  const realm = string('realm', false);
  const options: OAuthOptions = {
    consumerKey: string('consumerKey')!,
    accessToken: string('accessToken')!,
    accessTokenSecret: string('accessTokenSecret')!,
    signatureKey: file('signatureKeyFile'),
    encryptionKey: file('encryptionKeyFile'),
    dhPrime,
    ...(realm === undefined ? {} : { realm }),
  };
  try {
    // Parse the keys and decrypt the secret now, so a bad file fails before any request.
    void new OAuthCredentials(options);
  } catch (error) {
    if (!(error instanceof IbkrWsError)) throw error;
    const message = error.message.replace(
      /^oauth\.\w+/,
      (option) => `"${OPTION_TO_FIELD[option] ?? option.slice('oauth.'.length)}"`,
    );
    throw new UsageError(`${where}: ${message}`);
  }
  return options;
}
