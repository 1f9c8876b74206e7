import { Router } from 'express';
import type { AppContext } from '../context.js';
import type { DciEndpoint } from './call.js';
import { inboundNotify } from '../notifications/inbound-notify.js';
import { compactEndpoints } from './compact-handler.js';
import { asyncEndpoint, syncEndpoint, type DciOperation } from './operations.js';
import { dciHandler, dciTransportErrors, onlyPost } from './pipeline.js';
import { readDciBody } from './request-body.js';
import { searchOperation } from './search-handler.js';
import { subscribeOperation, unsubscribeOperation } from './subscribe-handler.js';
import { txnStatusOperation } from './txn-status-handler.js';
import { verifyOperation } from './verify-handler.js';

export const DCI_OPERATIONS: DciOperation[] = [searchOperation, verifyOperation, txnStatusOperation, subscribeOperation, unsubscribeOperation];

export const DCI_ENDPOINTS: DciEndpoint[] = [...DCI_OPERATIONS.flatMap((op) => [syncEndpoint(op), asyncEndpoint(op)]), inboundNotify, ...compactEndpoints];

/** The DCI REST API: each endpoint reads and checks the JSON body, then runs the pipeline; other methods get 405. */
export function dciRoutes(ctx: AppContext): Router {
  const router = Router();
  const readBody = readDciBody(ctx.config);
  for (const endpoint of DCI_ENDPOINTS) {
    const refuse = dciTransportErrors(ctx, endpoint);
    router.route(endpoint.path).post(...readBody, dciHandler(ctx, endpoint), refuse).all(onlyPost, refuse);
  }
  return router;
}
