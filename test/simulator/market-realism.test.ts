import { afterEach, describe, expect, it } from 'vitest';
import { instrumentProfile } from '../../src/simulator/index.js';
import { closeEverything, isTopic, openReadySocket, restClient, startSimulator } from './helpers.js';

afterEach(closeEverything);

const FIELDS = '["31","84","86","85","88","87","82","83","7059","6509"]';
const CONIDS = [265598, 8314, 272093, 756733];

/** Whole multiples of the tick, within floating-point rounding. */
function onTick(price: number, tick: number): boolean {
  return Math.abs(price / tick - Math.round(price / tick)) < 1e-6;
}

describe('market data that looks like a market', () => {
  it('gives each contract its own price level, spread, volume and change, on its tick grid', async () => {
    const simulator = await startSimulator();
    const socket = await openReadySocket(simulator);
    for (const conid of CONIDS) socket.send(`smd+${conid}+{"fields":${FIELDS}}`);
    const firsts = await Promise.all(CONIDS.map(async (conid) => (await socket.next(isTopic(`smd+${conid}`))).json));
    for (const [index, first] of firsts.entries()) {
      const profile = instrumentProfile(CONIDS[index] as number);
      const bid = Number(first['84']);
      const ask = Number(first['86']);
      expect(ask).toBeGreaterThan(bid);
      expect(
        onTick(Number(first['31']), profile.tickSize) && onTick(bid, profile.tickSize) && onTick(ask, profile.tickSize),
      ).toBe(true);
      expect(Math.round((ask - bid) / profile.tickSize)).toBeGreaterThanOrEqual(profile.spreadTicks);
      expect(first['6509']).toBe('RpB');
    }
    const distinct = (field: string) => new Set(firsts.map((first) => first[field])).size;
    for (const field of ['31', '87', '82', '83']) expect(distinct(field)).toBe(CONIDS.length);
    // AAPL and SPY quote a penny wide; IBM, the thinnest of the four, wider.
    expect(instrumentProfile(265598).spreadTicks).toBe(1);
    expect(instrumentProfile(8314).spreadTicks).toBeGreaterThan(1);
    expect(Number(firsts[3]['31'])).toBeGreaterThan(Number(firsts[0]['31']));
  });

  it('is deterministic: the same conid walks the same path in every simulator', async () => {
    const walk = async (): Promise<unknown[]> => {
      const simulator = await startSimulator();
      const socket = await openReadySocket(simulator);
      socket.send(`smd+4815162+{"fields":${FIELDS}}`);
      const messages = await socket.waitForCount(isTopic('smd+4815162'), 5);
      return messages.map(({ json }) => {
        const { _updated, ...rest } = json;
        return rest;
      });
    };
    expect(await walk()).toEqual(await walk());
  });

  it('prices a sub-dollar contract in 1/100 of a cent', () => {
    const penny = Array.from({ length: 2_000 }, (_, index) => instrumentProfile(index + 1)).find(
      (profile) => profile.tickSize === 0.0001,
    );
    expect(penny).toBeDefined();
    expect(penny?.decimals).toBe(4);
    expect((penny?.startTicks ?? 0) * 0.0001).toBeLessThan(1);
  });

  it('shows halted, delayed and closed markets in 6509 and the price prefixes, and halted ones stand still', async () => {
    const simulator = await startSimulator();
    const socket = await openReadySocket(simulator);
    socket.send(`smd+265598+{"fields":${FIELDS}}`);
    await socket.next(isTopic('smd+265598'));

    simulator.setMarketState(265598, 'halted');
    const halted = await socket.next(
      (frame) => frame.json?.topic === 'smd+265598' && String(frame.json['31'] ?? '').startsWith('H'),
    );
    expect(halted.json['31']).toMatch(/^H\d+\.\d{2}$/);
    const countWhileHalted = socket.frames.filter(isTopic('smd+265598')).length;
    await socket.heartbeatsPass(3);
    expect(socket.frames.filter(isTopic('smd+265598')).length).toBe(countWhileHalted);
    expect(simulator.state.marketStates).toEqual({ '265598': 'halted' });

    simulator.setMarketState(265598, 'delayed');
    const delayed = await socket.next((frame) => frame.json?.topic === 'smd+265598' && frame.json['6509'] === 'DpB');
    expect(delayed.json['31']).toMatch(/^\d+\.\d{2}$/);

    simulator.setMarketState(265598, 'closed');
    const closed = await socket.next((frame) => frame.json?.topic === 'smd+265598' && frame.json['6509'] === 'ZpB');
    expect(closed.json['31']).toMatch(/^C\d+\.\d{2}$/);

    simulator.setMarketState(265598, 'realtime');
    await socket.next((frame) => frame.json?.topic === 'smd+265598' && frame.json['6509'] === 'RpB');
    expect(simulator.state.marketStates).toEqual({});
  });

  it('sets a market state over the control API, and refuses bad ones with 400', async () => {
    const simulator = await startSimulator();
    const rest = restClient(simulator);
    expect((await rest.call('POST', '/__sim/setMarketState', { conid: 8314, state: 'halted' })).status).toBe(200);
    expect(simulator.state.marketStates).toEqual({ '8314': 'halted' });
    const badState = await rest.call('POST', '/__sim/setMarketState', [8314, 'lunch']);
    expect(badState.status).toBe(400);
    expect(badState.json.error).toMatch(/'realtime', 'delayed', 'halted', 'closed'/);
    expect((await rest.call('POST', '/__sim/setMarketState', ['8314', 'closed'])).status).toBe(400);
    expect(simulator.state.marketStates).toEqual({ '8314': 'halted' });
  });
});
