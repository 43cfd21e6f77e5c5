/**
 * Inspection events keep their actor references (inspectors need them) but every event payload they carry is
 * redacted: the context already holds the session only as a `Secret`, and this catches anything a frame might quote.
 */
import type { InspectionEvent } from 'xstate';
import { createRedactor } from './redaction.js';

export function redactedInspection(
  inspect: (event: InspectionEvent) => void,
  knownSecrets: () => readonly string[],
): (event: InspectionEvent) => void {
  const redact = createRedactor(knownSecrets);
  return (event) =>
    inspect(event.type === '@xstate.event' ? ({ ...event, event: redact(event.event) } as InspectionEvent) : event);
}
