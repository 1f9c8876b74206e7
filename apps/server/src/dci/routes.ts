import express, { Router } from 'express';
import type { AppContext } from '../context.js';
import type { DciEndpoint } from './call.js';
import { compactEndpoints } from './compact-handler.js';
import { dciHandler, dciTransportErrors, requireJson } from './pipeline.js';
import { asyncSearch, syncSearch } from './search-handler.js';
import { asyncTxnStatus, syncTxnStatus } from './txn-status-handler.js';
import { asyncVerify, syncVerify } from './verify-handler.js';

export const DCI_ENDPOINTS: DciEndpoint[] = [syncSearch, asyncSearch, syncVerify, asyncVerify, syncTxnStatus, asyncTxnStatus, ...compactEndpoints];

/** The DCI REST API: each endpoint checks the media type, parses JSON within the limit, then runs the pipeline. */
export function dciRoutes(ctx: AppContext): Router {
  const router = Router();
  const json = express.json({ limit: ctx.config.bodyLimit, type: () => true });
  for (const endpoint of DCI_ENDPOINTS) {
    router.post(endpoint.path, requireJson, json, dciHandler(ctx, endpoint), dciTransportErrors(ctx, endpoint));
  }
  return router;
}
