/**
 * The realistic bodies the simulator sends, built from the documented examples in docs/PROTOCOL.md (and the fixture
 * corpus in test/fixtures/protocol), with the account and user of the simulator's options filled in. Every builder
 * returns a fresh object: callers may change it without touching the next one.
 */
import type { ResolvedSimulatorOptions } from './options.js';
import type { BrokerageStatus } from './gateway-state.js';

/** The server identity of the OAPI examples (§1.2, §1.3). */
export const SERVER_INFO = {
  serverName: 'JifN19053',
  serverVersion: 'Build 10.25.0p, Dec 5, 2023 5:48:12 PM',
} as const;
/** A made-up MAC in the shape of the documented ones. */
const MAC_ADDRESS = '98:F2:B3:23:BF:A0';
const USER_ID = 123456789;

type Identity = Pick<ResolvedSimulatorOptions, 'username' | 'accountId' | 'isPaper' | 'isFT'>;

/** `/iserver/auth/status` and tickle `iserver.authStatus` (§1.2, §1.3). */
export function brokerageStatusBody(status: BrokerageStatus): Record<string, unknown> {
  return {
    authenticated: status.authenticated,
    competing: status.competing,
    connected: status.connected,
    established: status.established,
    message: '',
    fail: '',
    MAC: MAC_ADDRESS,
    hardware_info: '21026956|06:8E:04:45:DA:8F',
    serverInfo: { ...SERVER_INFO },
  };
}

/** `POST|GET /v1/api/tickle` (§1.2). The session value is a secret: this body goes on the wire only. */
export function tickleBody(session: string, ssoExpires: number, status: BrokerageStatus): Record<string, unknown> {
  const authStatus = brokerageStatusBody(status);
  delete authStatus['hardware_info'];
  delete authStatus['fail'];
  return {
    session,
    ssoExpires,
    collission: false,
    userId: USER_ID,
    hmds: { error: 'no bridge' },
    iserver: { authStatus },
  };
}

/** `GET /v1/api/sso/validate` (§1.6, OAPI example). */
export function ssoValidateBody(
  identity: Identity,
  expiresMs: number,
  loginAt: number,
  now: number,
): Record<string, unknown> {
  return {
    AUTH_TIME: loginAt,
    CREDENTIAL: identity.username,
    EXPIRES: expiresMs,
    IP: '127.0.0.1',
    IS_FREE_TRIAL: identity.isFT,
    IS_MASTER: false,
    LANDING_APP: 'UNIVERSAL',
    LOGIN_TYPE: identity.isPaper ? 2 : 1,
    PAPER_USER_NAME: identity.username,
    QUALIFIED_FOR_MOBILE_AUTH: null,
    RESULT: true,
    SF_ENABLED: false,
    USER_ID: USER_ID,
    USER_NAME: identity.username,
    features: { bond: true, calendar: true, env: 'PROD', newMf: true, optionChains: true, realtime: true, wlms: true },
    lastAccessed: now,
    region: 'NJ',
  };
}

const CHART_PERIODS = {
  BOND: ['*'],
  CASH: ['*'],
  CFD: ['*'],
  CMDTY: ['*'],
  CRYPTO: ['*'],
  FOP: ['2h', '1d', '2d', '1w', '1m'],
  FUND: ['*'],
  FUT: ['*'],
  IND: ['*'],
  IOPT: ['*'],
  OPT: ['2h', '1d', '2d', '1w', '1m'],
  PHYSS: ['*'],
  STK: ['*'],
  WAR: ['*'],
};

/**
 * `GET /v1/api/iserver/accounts`, also the `act` frame's `args` ("very close to /iserver/accounts", §2.3).
 * `sessionId` is the server-internal id LIVE-DE saw in `act`, never the tickle session.
 */
export function accountsBody(identity: Identity): Record<string, unknown> {
  const account = identity.accountId;
  return {
    accounts: [account],
    acctProps: {
      [account]: {
        allowCustomerTime: true,
        autoFx: false,
        hasChildAccounts: false,
        liteUnderPro: false,
        noFxConv: false,
        supportsCashQty: true,
        supportsFractions: true,
      },
    },
    aliases: { All: 'All', [account]: account },
    allowFeatures: {
      allowCrypto: false,
      allowDynAccount: false,
      allowEventContract: true,
      allowEventTrading: true,
      allowFA: false,
      allowFXConv: true,
      allowFinancialLens: true,
      allowLiteUnderPro: false,
      allowMTA: false,
      allowTypeAhead: true,
      allowedAssetTypes:
        'STK,CFD,OPT,FOP,WAR,FUT,BAG,PDC,CASH,IND,BOND,BILL,FUND,SLB,News,CMDTY,IOPT,ICU,ICS,PHYSS,CRYPTO',
      debugPnl: true,
      liteUser: false,
      research: true,
      restrictTradeSubscription: false,
      showEUCostReport: false,
      showGFIS: true,
      showImpactDashboard: true,
      showTaxOpt: true,
      showUkUserLabels: false,
      showWebNews: true,
      sideBySide: true,
      snapshotRefreshTimeout: 30,
    },
    chartPeriods: structuredClone(CHART_PERIODS),
    groups: ['All'],
    isFT: identity.isFT,
    isPaper: identity.isPaper,
    profiles: [],
    selectedAccount: account,
    serverInfo: { ...SERVER_INFO },
    sessionId: '65ee8a41.0000001e',
  };
}

/** Symbols of the contracts the docs use; anything else gets a made-up ticker. */
const KNOWN_CONTRACTS: Readonly<Record<number, { symbol: string; company: string; price: number }>> = {
  265598: { symbol: 'AAPL', company: 'APPLE INC', price: 189.6 },
  8314: { symbol: 'IBM', company: 'INTL BUSINESS MACHINES CORP', price: 165.3 },
  272093: { symbol: 'MSFT', company: 'MICROSOFT CORP', price: 415.1 },
  756733: { symbol: 'SPY', company: 'SPDR S&P 500 ETF TRUST', price: 512.3 },
};

export interface ContractInfo {
  readonly symbol: string;
  readonly company: string;
  /** A plausible starting price. */
  readonly price: number;
}

export function contractInfo(conid: number): ContractInfo {
  const known = KNOWN_CONTRACTS[conid];
  if (known !== undefined) return known;
  return { symbol: `SIM${conid}`, company: `SIMULATED CONTRACT ${conid}`, price: 20 + (conid % 480) };
}
