import express, { Router } from 'express';
import type { AppContext } from '../context.js';
import type { DciEndpoint } from './call.js';
import { inboundNotify } from '../notifications/inbound-notify.js';
import { compactEndpoints } from './compact-handler.js';
import { asyncEndpoint, syncEndpoint, type DciOperation } from './operations.js';
import { dciHandler, dciTransportErrors, requireJson } from './pipeline.js';
import { searchOperation } from './search-handler.js';
import { subscribeOperation, unsubscribeOperation } from './subscribe-handler.js';
import { txnStatusOperation } from './txn-status-handler.js';
import { verifyOperation } from './verify-handler.js';

export const DCI_OPERATIONS: DciOperation[] = [searchOperation, verifyOperation, txnStatusOperation, subscribeOperation, unsubscribeOperation];

export const DCI_ENDPOINTS: DciEndpoint[] = [...DCI_OPERATIONS.flatMap((op) => [syncEndpoint(op), asyncEndpoint(op)]), inboundNotify, ...compactEndpoints];

/** The DCI REST API: each endpoint checks the media type, parses JSON within the limit, then runs the pipeline. */
export function dciRoutes(ctx: AppContext): Router {
  const router = Router();
  const json = express.json({ limit: ctx.config.bodyLimit, type: () => true });
  for (const endpoint of DCI_ENDPOINTS) {
    router.post(endpoint.path, requireJson, json, dciHandler(ctx, endpoint), dciTransportErrors(ctx, endpoint));
  }
  return router;
}
