/** Longest piece of client input quoted in an error message. */
export const QUOTE_MAX = 64;

/**
 * Client input as quoted in an error message: at most `max` characters, then `…`. A client can send ids and paths
 * of any length; echoing them whole makes error bodies (and the logs quoting them) as large as the attacker likes.
 */
export function clip(text: string, max = QUOTE_MAX): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
