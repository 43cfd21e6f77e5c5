/**
 * The largest frame the codec decodes, in bytes, checked before any decoding.
 *
 * 1 MiB: four times the gateway's own Vert.x message maximum (256 KiB, docs/PROTOCOL.md §1.1), far above every real frame
 * in the corpus (all under 64 KiB), and a quarter of the hostile 4 MiB frames the corpus must refuse.
 */
export const DEFAULT_MAX_FRAME_BYTES = 1024 * 1024;
