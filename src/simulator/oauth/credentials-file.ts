/**
 * Writes the consumer material as the credentials file `ibkr-ws connect --oauth FILE` reads, in a private temporary
 * folder (mode 0700, files 0600): `oauth.json` with paths relative to its own folder, the two private keys and the
 * `dhparam.pem`. Closing the simulator removes the folder.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OAuthConsumerMaterial } from './consumer-material.js';

export interface OAuthCredentialsFileContent {
  readonly consumerKey: string;
  readonly accessToken: string;
  readonly accessTokenSecret: string;
  readonly signatureKeyFile: string;
  readonly encryptionKeyFile: string;
  readonly dhParamFile: string;
  readonly realm: string;
}

export interface OAuthCredentialsFile {
  readonly path: string;
  readonly content: OAuthCredentialsFileContent;
  remove(): Promise<void>;
}

export const CREDENTIAL_FILE_NAMES = {
  file: 'oauth.json',
  signatureKey: 'private_signature.pem',
  encryptionKey: 'private_encryption.pem',
  dhParam: 'dhparam.pem',
} as const;

export async function writeCredentialsFile(material: OAuthConsumerMaterial): Promise<OAuthCredentialsFile> {
  const directory = await mkdtemp(join(tmpdir(), 'ibkr-ws-sim-oauth-'));
  const content: OAuthCredentialsFileContent = {
    consumerKey: material.consumerKey,
    accessToken: material.accessToken,
    accessTokenSecret: material.accessTokenSecret,
    signatureKeyFile: CREDENTIAL_FILE_NAMES.signatureKey,
    encryptionKeyFile: CREDENTIAL_FILE_NAMES.encryptionKey,
    dhParamFile: CREDENTIAL_FILE_NAMES.dhParam,
    realm: material.realm,
  };
  const path = join(directory, CREDENTIAL_FILE_NAMES.file);
  try {
    await writeFile(join(directory, CREDENTIAL_FILE_NAMES.signatureKey), material.signatureKey, { mode: 0o600 });
    await writeFile(join(directory, CREDENTIAL_FILE_NAMES.encryptionKey), material.encryptionKey, { mode: 0o600 });
    await writeFile(join(directory, CREDENTIAL_FILE_NAMES.dhParam), material.dhParamPem, { mode: 0o600 });
    await writeFile(path, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
  } catch (error) {
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
  let removal: Promise<void> | undefined;
  return { path, content, remove: () => (removal ??= rm(directory, { recursive: true, force: true })) };
}
