/** The signing part of @dci-server/dci alone (no spec schemas), as the client SDK bundles it. */
export { signEnvelope, verifyEnvelope } from './envelope.js';
export type { KeyResolver, SignOptions, SignatureScheme, VerifyOptions, VerifyResult } from './envelope.js';
export { jwsAlgorithmForKey } from './jws.js';
export { toPrivateKey } from './keys.js';
export type { PrivateKeyInput } from './keys.js';
