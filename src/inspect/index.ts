/** Inspection and diagrams: the statechart drawn from the machine, the redacted inspector and the offline live view. */
export { startInspection, type Inspection, type InspectionOptions } from './inspection.js';
export { createRedactor } from '../redaction.js';
export { connectionMermaid, connectionSvg, generateVisualizations, VISUALIZATION_FILES } from './visualizations.js';
export { LiveViewFeed, type SnapshotView, type EventView, type ViewMessage } from './live-view/feed.js';
