/**
 * Delay before retry `attempt` (1-based): exponential, sized so that `maxAttempts` attempts span
 * about `windowSeconds` (default 10 attempts over ~24 h), with ±20 % jitter so that a recovering
 * endpoint is not hit by every delivery at the same instant.
 */
export function retryDelaySeconds(attempt: number, maxAttempts: number, windowSeconds: number, random = Math.random): number {
  const steps = Math.max(1, maxAttempts - 1);
  const base = windowSeconds / (2 ** steps - 1);
  return base * 2 ** (attempt - 1) * (0.8 + 0.4 * random());
}
