import { DciError } from '@dci-server/dci';
import type { Response } from 'express';

/**
 * Aborted when the connection closes before the answer was sent: a client that gave up (or timed
 * out) should not keep the database busy with work nobody will read.
 */
export function clientGoneSignal(res: Response): AbortSignal {
  const controller = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) controller.abort(new DciError('err.request.aborted'));
  });
  return controller.signal;
}
