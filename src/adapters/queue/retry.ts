import { PermanentError } from '../../core/errors.js';
import type { RetryPolicy } from '../../ports.js';

/** What to do after a handler failed on its `attempt`-th try: retry after `delay` ms, or give up. */
export function afterFailure(
  err: unknown,
  attempt: number,
  policy: RetryPolicy,
): { retry: true; delay: number } | { retry: false; reason: string } {
  const reason = err instanceof Error ? err.message : String(err);
  if (err instanceof PermanentError || attempt >= policy.maxAttempts) return { retry: false, reason };
  return { retry: true, delay: policy.baseDelayMs * 2 ** (attempt - 1) };
}
