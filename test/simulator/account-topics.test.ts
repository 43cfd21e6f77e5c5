import { afterEach, describe, expect, it } from 'vitest';
import { closeEverything, isTopic, openReadySocket, startSimulator } from './helpers.js';

afterEach(closeEverything);

describe('sbd price ladder', () => {
  it('sends rows around the price on sbd+<acct>+<conid>+<exch> until ubd', async () => {
    const simulator = await startSimulator();
    const socket = await openReadySocket(simulator);
    socket.send('sbd+DU12345+265598+ARCA');
    const ladder = (await socket.next(isTopic('sbd+DU12345+265598+ARCA'))).json;
    expect(ladder.data).toHaveLength(11);
    expect(ladder.data.filter((row: any) => row.focus === 1)).toHaveLength(1);
    expect(ladder.data[0]).toHaveProperty('ask');
    expect(ladder.data.at(-1)).toHaveProperty('bid');
    socket.send('ubd+DU12345');
    await simulator.waitForClientFrame((frame) => frame.text === 'ubd+DU12345');
    const count = socket.frames.filter(isTopic('sbd+DU12345+265598+ARCA')).length;
    await socket.heartbeatsPass(2);
    expect(socket.frames.filter(isTopic('sbd+DU12345+265598+ARCA')).length).toBe(count);
  });

  it('uses sbd+<acct>+<conid> without an exchange', async () => {
    const simulator = await startSimulator();
    const socket = await openReadySocket(simulator);
    socket.send('sbd+DU12345+8314');
    await socket.next(isTopic('sbd+DU12345+8314'));
  });
});

describe('sor live orders', () => {
  it('sends nothing on subscribe, then the synthetic order through its life on demand', async () => {
    const simulator = await startSimulator();
    const socket = await openReadySocket(simulator);
    socket.send('sor+{}');
    await simulator.waitForClientFrame((frame) => frame.text === 'sor+{}');
    simulator.pushOrders();
    const created = (await socket.next(isTopic('sor'))).json.args;
    expect(created.map((order: any) => order.status)).toEqual(['PendingSubmit', 'Submitted']);
    expect(created[1]).toMatchObject({
      acct: 'DU1234567',
      conid: 265598,
      ticker: 'AAPL',
      orderType: 'Limit',
      side: 'BUY',
    });
    simulator.pushOrders();
    expect((await socket.next(isTopic('sor'))).json.args[0]).toMatchObject({
      filledQuantity: 40,
      remainingQuantity: 60,
    });
    simulator.pushOrders();
    expect((await socket.next(isTopic('sor'))).json.args[0]).toMatchObject({ status: 'Filled', remainingQuantity: 0 });
    simulator.pushOrders([{ acct: 'DU1234567', orderId: 1, status: 'Cancelled' }]);
    expect((await socket.next(isTopic('sor'))).json.args).toEqual([
      { acct: 'DU1234567', orderId: 1, status: 'Cancelled' },
    ]);
  });

  it('keeps only the filtered statuses', async () => {
    const simulator = await startSimulator();
    const socket = await openReadySocket(simulator);
    socket.send('sor+{"filters":["Submitted"]}');
    await simulator.waitForClientFrame((frame) => frame.text.startsWith('sor'));
    simulator.pushOrders();
    expect((await socket.next(isTopic('sor'))).json.args.map((order: any) => order.status)).toEqual(['Submitted']);
  });

  it('steps the synthetic order on a timer while someone listens, and stops on uor', async () => {
    const simulator = await startSimulator({ ordersIntervalMs: 30 });
    const socket = await openReadySocket(simulator);
    socket.send('sor+{}');
    await socket.waitForCount(isTopic('sor'), 3);
    socket.send('uor+{}');
    await simulator.waitForClientFrame((frame) => frame.text === 'uor+{}');
    const count = socket.frames.filter(isTopic('sor')).length;
    await socket.heartbeatsPass(2);
    expect(socket.frames.filter(isTopic('sor')).length).toBe(count);
  });
});

describe('str trades', () => {
  it("sends the day's trades, then each fill", async () => {
    const simulator = await startSimulator();
    const socket = await openReadySocket(simulator);
    socket.send('str+{}');
    const day = (await socket.next(isTopic('str'))).json.args;
    expect(day[0]).toMatchObject({ execution_id: '0000e0d5.60cf1bd1.01.01', symbol: 'AAPL', account: 'DU1234567' });
    simulator.pushOrders();
    simulator.pushOrders();
    const fill = (await socket.next(isTopic('str'))).json.args;
    expect(fill[0]).toMatchObject({ size: 40, symbol: 'AAPL' });
  });

  it('skips the past with realtimeUpdatesOnly', async () => {
    const simulator = await startSimulator();
    const socket = await openReadySocket(simulator);
    socket.send('str+{"realtimeUpdatesOnly":true}');
    await simulator.waitForClientFrame((frame) => frame.text.startsWith('str'));
    simulator.pushTrades([{ execution_id: 'x.1' }]);
    expect((await socket.next(isTopic('str'))).json.args).toEqual([{ execution_id: 'x.1' }]);
  });
});

describe('spl profit and loss', () => {
  it('sends the account row at once and then every interval, until upl', async () => {
    const simulator = await startSimulator();
    const socket = await openReadySocket(simulator);
    socket.send('spl+{}');
    const rows = await socket.waitForCount(isTopic('spl'), 3);
    expect(Object.keys(rows[0]!.json.args)).toEqual(['DU1234567.Core']);
    expect(Object.keys(rows[0]!.json.args['DU1234567.Core'])).toEqual(['rowType', 'dpl', 'nl', 'upl', 'uel', 'mv']);
    socket.send('upl{}');
    await simulator.waitForClientFrame((frame) => frame.text === 'upl{}');
    const count = socket.frames.filter(isTopic('spl')).length;
    await socket.heartbeatsPass(2);
    expect(socket.frames.filter(isTopic('spl')).length).toBe(count);
  });
});

describe('ssd account summary', () => {
  it('sends the selected keys on ssd+<acct>, and answers usd', async () => {
    const simulator = await startSimulator();
    const socket = await openReadySocket(simulator);
    socket.send('ssd+DU1234567+{"keys":["AccruedCash-S","ExcessLiquidity-S"],"fields":["currency","monetaryValue"]}');
    const summary = (await socket.next(isTopic('ssd+DU1234567'))).json;
    expect(summary.result.map((entry: any) => entry.key)).toEqual(['AccruedCash-S', 'ExcessLiquidity-S']);
    expect(Object.keys(summary.result[1])).toEqual(['key', 'currency', 'monetaryValue', 'severity', 'timestamp']);
    expect(summary.result[1].timestamp).toBeLessThan(10_000_000_000);
    await socket.next(isTopic('ssd+DU1234567'));
    socket.send('usd+DU1234567+{}');
    expect((await socket.next((frame) => frame.json?.result === 'unsubscribed from summary')).json).toEqual({
      result: 'unsubscribed from summary',
    });
  });

  it('accepts the bare ssd+<acct> and reports AccountCode', async () => {
    const simulator = await startSimulator();
    const socket = await openReadySocket(simulator);
    socket.send('ssd+DU7654321');
    const summary = (await socket.next(isTopic('ssd+DU7654321'))).json;
    expect(summary.result[0]).toMatchObject({ key: 'AccountCode', value: 'DU7654321' });
  });
});

describe('sld ledger', () => {
  it('sends every currency first, then blank entries for the unchanged ones, and answers uld', async () => {
    const simulator = await startSimulator();
    const socket = await openReadySocket(simulator);
    socket.send('sld+DU1234567+{}');
    const [first, second] = (await socket.waitForCount(isTopic('sld+DU1234567'), 2)).map((frame) => frame.json);
    expect(first.result.map((entry: any) => entry.key)).toEqual(['LedgerListBASE', 'LedgerListUSD', 'LedgerListEUR']);
    expect(first.result[0]).toMatchObject({ acctCode: 'DU1234567', secondKey: 'BASE', severity: 0 });
    expect(Object.keys(second.result[2])).toEqual(['key', 'timestamp']);
    socket.send('uld+DU1234567');
    await socket.next((frame) => frame.json?.result === 'unsubscribed from ledger');
  });

  it('matches requested fields regardless of case (cashBalance asks for cashbalance)', async () => {
    const simulator = await startSimulator();
    const socket = await openReadySocket(simulator);
    socket.send('sld+DU1234567+{"keys":["LedgerListBASE"],"fields":["cashBalance","exchangeRate"]}');
    const ledger = (await socket.next(isTopic('sld+DU1234567'))).json;
    expect(ledger.result).toHaveLength(1);
    expect(Object.keys(ledger.result[0]).sort()).toEqual([
      'cashbalance',
      'exchangeRate',
      'key',
      'severity',
      'timestamp',
    ]);
  });
});

describe('notifications and bulletins', () => {
  it('pushes ntf and blt to every ready socket', async () => {
    const simulator = await startSimulator();
    const socket = await openReadySocket(simulator);
    simulator.pushNotice('ntf', {
      id: 'INDICATIVE_DATA_SUGGESTION',
      text: 'CFD quotes…',
      title: 'Warning',
      url: 'https://interactivebrokers.com/',
    });
    simulator.pushNotice('blt', [{ id: 1789618148, exchanges: null, message: '[BBSMSG Bulletin]' }]);
    expect((await socket.next(isTopic('ntf'))).json.args.id).toBe('INDICATIVE_DATA_SUGGESTION');
    expect((await socket.next(isTopic('blt'))).json.args[0].id).toBe(1789618148);
  });
});
