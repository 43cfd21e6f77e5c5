/**
 * OAuth mode assembled: the consumer (generated, or given as `oauthMaterial`), its credentials file, IBKR's
 * authority over tokens and signatures, the REST gate, the upgrade check, and the control surface the simulator
 * exposes as `simulator.oauth`. Nothing here logs a key, a secret, a token or a header.
 */
import type { IncomingMessage } from 'node:http';
import type { GatewayState } from '../gateway-state.js';
import type { SimulatorLog } from '../log.js';
import type { ResolvedSimulatorOptions } from '../options.js';
import { generateConsumerMaterial, type OAuthConsumerMaterial } from './consumer-material.js';
import {
  writeCredentialsFile,
  type OAuthCredentialsFile,
  type OAuthCredentialsFileContent,
} from './credentials-file.js';
import { OAuthAuthority } from './oauth-authority.js';
import { OAuthTally, type OAuthCounters, type OAuthRequestEvent } from './oauth-events.js';
import { OAuthRestGate, type SsodhFailureStatus } from './oauth-rest-gate.js';
import { apiCookie, refuseOAuthUpgrade, type UpgradeRefusal } from './oauth-upgrade.js';

/** `simulator.oauth`: the consumer, its file, the verdicts, and OAuth's faults. */
export interface OAuthSimulatorControl {
  /** The credentials file (`oauth.json`; key and dhparam files beside it). Removed by close(). */
  readonly file: string;
  /** The file's content (paths relative to its folder). `accessTokenSecret` is the encrypted form, as IBKR gives it. */
  readonly credentials: OAuthCredentialsFileContent;
  /** Everything about the consumer, private keys and the plain secret included: for tests; never log it. */
  readonly material: OAuthConsumerMaterial;
  readonly counters: OAuthCounters;
  /** Whether the access token has a live session token now. */
  readonly hasLiveSessionToken: boolean;
  /** Whether ssodh/init opened a brokerage session (since start or the last logout). */
  readonly brokerageSessionInitialised: boolean;
  /** Every live session token stops working now: signed calls answer 401, sockets close (per options). */
  expireLiveSessionToken(): void;
  /** false: the consumer is "not yet activated" (IBKR takes days): every call answers 401 `invalid consumer`. */
  setConsumerActivated(activated: boolean): void;
  /** The next `count` (default 1; Infinity = until reset with 0) ssodh/init calls answer 500 or 410. */
  failSsodhInit(status: SsodhFailureStatus, count?: number): void;
}

export interface OAuthSide {
  readonly gate: OAuthRestGate;
  readonly control: OAuthSimulatorControl;
  /** Call once the port is known: the origins signed URLs are rebuilt from. */
  announce(port: number): void;
  refuseUpgrade(request: IncomingMessage): UpgradeRefusal | undefined;
  /** Whether a new socket must wait for `{"session":…}` (no matching `api` cookie). */
  needsSessionMessage(request: IncomingMessage): boolean;
  dispose(): Promise<void>;
}

export interface OAuthSideDependencies {
  readonly options: ResolvedSimulatorOptions;
  readonly state: GatewayState;
  readonly log: SimulatorLog;
  readonly emit: (event: OAuthRequestEvent) => void;
  /** The access token lost its last live session token. */
  readonly onLiveSessionTokenLost: () => void;
}

export async function startOAuthSide(dependencies: OAuthSideDependencies): Promise<OAuthSide> {
  const { options, state, log } = dependencies;
  const material = options.oauthMaterial ?? (await generateConsumerMaterial());
  const origins: string[] = [];
  const tally = new OAuthTally(dependencies.emit);
  const authority = new OAuthAuthority({
    consumer: {
      consumerKey: material.consumerKey,
      accessToken: material.accessToken,
      realm: material.realm,
      accessTokenSecret: Buffer.from(material.accessTokenSecretPlainHex, 'hex'),
      signaturePublicKey: material.signaturePublicKey,
      dhPrime: BigInt(`0x${material.dhPrime}`),
    },
    baseUrls: origins,
    lifetimeMs: options.oauthLstLifetimeMs,
    timestampToleranceMs: options.oauthTimestampToleranceMs,
    lenient: options.oauthLenient,
    revokePrevious: options.oauthRevokePreviousLst,
    onLiveSessionTokenLost: () => {
      log('info', 'simulator oauth: the access token has no live session token any more');
      dependencies.onLiveSessionTokenLost();
    },
  });
  // Written only once the authority has read the keys: a bad `oauthMaterial` leaves no file behind.
  const file: OAuthCredentialsFile = await writeCredentialsFile(material);
  const gate = new OAuthRestGate(authority, state, tally, log);
  const control: OAuthSimulatorControl = {
    file: file.path,
    credentials: file.content,
    material,
    get counters() {
      return tally.snapshot();
    },
    get hasLiveSessionToken() {
      return authority.hasLiveToken();
    },
    get brokerageSessionInitialised() {
      return gate.bridge;
    },
    expireLiveSessionToken: () => authority.expireLiveSessionTokens(),
    setConsumerActivated: (activated) => {
      if (typeof activated !== 'boolean') throw new RangeError('setConsumerActivated expects a boolean');
      authority.activated = activated;
    },
    failSsodhInit: (status, count = 1) => gate.failSsodhInit(status, count),
  };
  return {
    gate,
    control,
    announce: (port) => {
      origins.push(`https://localhost:${port}`, `https://127.0.0.1:${port}`, ...(options.oauthBaseUrls ?? []));
    },
    refuseUpgrade: (request) => refuseOAuthUpgrade(request, authority, tally),
    needsSessionMessage: (request) => apiCookie(request) !== state.sessionValue,
    dispose: async () => {
      authority.dispose();
      await file.remove();
    },
  };
}
