// What the server's trust rules start from, without loading the server: which host names are
// this machine's loopback, and the shortest token accepted (`evolab serve` checks both before
// it starts anything).

/** Shorter tokens are refused: guessable, or an empty `--token "$UNSET"` by mistake. */
export const MIN_TOKEN_LENGTH = 16;

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
