/**
 * Client commands to wire text: exactly the canonical lines of the fixture corpus (compact JSON, keys in the order
 * the intent lists them, field ids as strings). The gateway reads the first three characters as the topic and `+`
 * as the separator (PROTOCOL.md §4.1); the few bare forms (`tic`, `ech+hb`, `utr`, `umh+<id>`, `sbd+…`, `ubd+…`) are
 * the documented ones.
 */
import type { ClientCommand } from './types.js';

export function encodeCommand(command: ClientCommand): string {
  switch (command.op) {
    case 'tic':
      return 'tic';
    case 'echo':
      return 'ech+hb';
    case 'session':
      return JSON.stringify({ session: command.session });
    case 'request':
    case 'input':
      return `${command.topic}+${command.action}+${JSON.stringify(command.args)}`;
    case 'subscribe':
      return encodeSubscribe(command);
    case 'unsubscribe':
      return encodeUnsubscribe(command);
  }
}

type Subscribe = Extract<ClientCommand, { op: 'subscribe' }>;
type Unsubscribe = Extract<ClientCommand, { op: 'unsubscribe' }>;

function instrument(conid: number, exchange: string | undefined): string {
  return exchange === undefined ? String(conid) : `${conid}@${exchange}`;
}

function encodeSubscribe(command: Subscribe): string {
  switch (command.topic) {
    case 'smd':
      return `smd+${instrument(command.conid, command.exchange)}+${JSON.stringify({ fields: command.fields.map(String) })}`;
    case 'smh':
      return `smh+${command.conid}+${JSON.stringify(command.params)}`;
    case 'sbd':
      return `sbd+${command.acct}+${command.conid}${command.exchange === undefined ? '' : `+${command.exchange}`}`;
    case 'sor':
      return `sor+${JSON.stringify(command.filters === undefined ? {} : { filters: command.filters })}`;
    case 'spl':
      return 'spl+{}';
    case 'str': {
      const options: { realtimeUpdatesOnly?: boolean; days?: number } = {};
      if (command.realtimeUpdatesOnly !== undefined) options.realtimeUpdatesOnly = command.realtimeUpdatesOnly;
      if (command.days !== undefined) options.days = command.days;
      return `str+${JSON.stringify(options)}`;
    }
    case 'ssd':
    case 'sld': {
      const options: { keys?: readonly string[]; fields?: readonly string[] } = {};
      if (command.keys !== undefined) options.keys = command.keys;
      if (command.fields !== undefined) options.fields = command.fields;
      return `${command.topic}+${command.acct}+${JSON.stringify(options)}`;
    }
  }
}

function encodeUnsubscribe(command: Unsubscribe): string {
  switch (command.topic) {
    case 'smd':
      return `umd+${instrument(command.conid, command.exchange)}+{}`;
    case 'smh':
      return `umh+${command.serverId}`;
    case 'sbd':
      return `ubd+${command.acct}`;
    case 'sor':
      return 'uor+{}';
    case 'spl':
      return 'upl+{}';
    case 'str':
      return 'utr';
    case 'ssd':
      return `usd+${command.acct}+{}`;
    case 'sld':
      return `uld+${command.acct}+{}`;
  }
}
