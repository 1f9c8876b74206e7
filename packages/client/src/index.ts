/**
 * @dci-server/client: a TypeScript client for DCI Server. Tokens, signed envelopes (DCI signature
 * string or JWS), answers checked against the server's JWKS, typed operations with async and paged
 * variants, and a receiver for the server's callbacks and notifications.
 */
export { DciClient, checkServerSignature } from './client.js';
export type { AsyncCallOptions, CallOptions, DciAccepted, DciAnswer, DciClientOptions, SearchPage, SearchQuery, SignedEnvelope, SubscribeQuery, TxnStatusQuery, VerifyQuery } from './client.js';
export { loadSenderFiles, type SenderFiles } from './sender-files.js';
export { DciRequestError, DciSignatureError, DciTokenError } from './errors.js';
export { DciReceiver } from './receiver.js';
export type { DciIncoming, DciReceiverOptions, ReceiverAnswer } from './receiver.js';
export { MemoryReplayGuard, type ReplayGuard } from './replay-guard.js';
export { ServerKeys, type ServerKeysOptions } from './server-keys.js';
export { TokenSource, type ClientAuth, type SigningKey } from './tokens.js';
export { OPERATIONS, type OperationName } from './operations.js';
export type { SignatureScheme } from '@dci-server/dci/signing';
export type * from '@dci-server/dci/types';
