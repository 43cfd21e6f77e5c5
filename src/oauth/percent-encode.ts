/**
 * The percent-encoding IBKR's OAuth base strings use: Python's `urllib.parse.quote_plus`, which IBind, IBKR's own
 * samples and the reference vectors apply. It keeps `A–Z a–z 0–9 - . _ ~`, writes a space as `+`, and everything else
 * as upper-case `%XX` of its UTF-8 bytes. `encodeURIComponent` alone leaves `! ' ( ) *` unencoded, which would change
 * the signed bytes (RFC 5849 §3.6 lists the same unreserved set; only the space differs).
 */
export function quotePlus(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}
