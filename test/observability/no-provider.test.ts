/**
 * Why "no provider, no cost" holds by construction: the telemetry tap never asks for frames (so the adapters' per-frame
 * check finds nothing, as before), and the observable instruments never read the client's counters unless a reader
 * collects — checked with the API's real no-op provider and with the real SDK.
 */
import { describe, expect, it } from 'vitest';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { createClientTelemetry } from '../../src/observability/client-telemetry.js';
import type { ObservedClient, ObservedEvents } from '../../src/observability/source.js';
import { fanOutDiagnostics } from '../../src/diagnostics.js';
import { Metrics } from '../../src/metrics.js';
import { TypedEvents } from '../../src/events.js';
import { resolveOptions } from '../../src/options.js';

/** The facts a client exposes, over the real Metrics and TypedEvents classes, counting reads of the counters. */
function observed() {
  const metrics = new Metrics();
  const events = new TypedEvents<ObservedEvents & Record<string, unknown>>(() => undefined);
  let reads = 0;
  const client: ObservedClient = {
    on: events.on.bind(events),
    state: () => metrics.state,
    counters: () => {
      reads++;
      return metrics.snapshot(Date.now());
    },
    subscriptions: () => [],
    fatalError: () => undefined,
  };
  return { client, events, metrics, reads: () => reads };
}

class ManualReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

describe('without a provider', () => {
  it('the telemetry tap has no frame hook, so the fan-out of it alone has none either', () => {
    const telemetry = createClientTelemetry(undefined);
    expect(Object.keys(telemetry.diagnostics ?? {}).sort()).toEqual([
      'restCall',
      'socketClosed',
      'socketOpened',
      'socketOpening',
    ]);
    const fanned = fanOutDiagnostics([telemetry.diagnostics!], () => undefined);
    expect(fanned?.frame).toBeUndefined();
    expect(fanned?.framePayloads).toBe(false);
  });

  it('never reads the counters; with a reader, once per collection', async () => {
    const noProvider = observed();
    createClientTelemetry(undefined).attach(noProvider.client);
    for (let index = 0; index < 100; index++) {
      noProvider.metrics.framesIn++;
      noProvider.events.emit('state', {
        state: index % 2 ? 'authenticated' : 'reconnect',
        previous: 'idle',
        at: Date.now(),
      });
    }
    expect(noProvider.reads()).toBe(0);

    const withReader = observed();
    const reader = new ManualReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    createClientTelemetry({ meterProvider }).attach(withReader.client);
    withReader.metrics.framesIn += 7;
    expect(withReader.reads()).toBe(0);
    const { resourceMetrics } = await reader.collect();
    expect(withReader.reads()).toBe(1);
    const frames = resourceMetrics.scopeMetrics[0]?.metrics.find(
      (metric) => metric.descriptor.name === 'ibkr_ws.socket.frames',
    );
    expect(frames?.dataPoints.find((point) => point.attributes['network.io.direction'] === 'receive')?.value).toBe(7);
    await meterProvider.shutdown();
  });

  it('telemetry: false wires no tap at all', () => {
    expect(createClientTelemetry(false).diagnostics).toBeUndefined();
  });

  it('a provider that is not one is refused at construction with invalid-option, naming the option', () => {
    expect(() => resolveOptions({ telemetry: { meterProvider: {} as never } })).toThrow(
      expect.objectContaining({ code: 'invalid-option', option: 'telemetry.meterProvider' }),
    );
    expect(() => resolveOptions({ telemetry: { tracerProvider: 'x' as never } })).toThrow(/TracerProvider/);
    expect(() => resolveOptions({ telemetry: true as never })).toThrow(
      expect.objectContaining({ option: 'telemetry' }),
    );
    expect(resolveOptions({ telemetry: false }).telemetry).toBe(false);
  });
});
