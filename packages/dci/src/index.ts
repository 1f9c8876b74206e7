/** @dci-server/dci: DCI protocol code shared by the server and client SDKs (no I/O besides reading the bundled spec). */
export * from './errors.js';
export * from './ack.js';
export type * from './types.js';
export { compileAll, getAjv, isRequestPath, outboundSchema, requestSchema, validateOutbound, validateRequest, REQUEST_PATHS, OUTBOUND_KINDS } from './schemas.js';
export type { OutboundKind, RequestPath, ValidationResult } from './schemas.js';
export { CRVS_SPEC_ID, SOCIAL_SPEC_FILE, SOCIAL_SPEC_ID, loadCrvsSpec, loadSocialSpec } from './spec-document.js';

export type { CmpOp, CompiledSearch, FilterNode, PageRequest, RecordKind, ScalarValue, SortKey } from './query/ast.js';
export { IDENTIFIER_FIELDS, IDENTIFIER_OPS, IDENTIFIER_TYPES, attributesOf, canonicalIdType, lookupAttribute, resolveRecordKind } from './query/attributes.js';
export { queryReferences } from './query/references.js';
export type { FieldReference } from './query/references.js';
export type { AttributeDef, AttributeLookup, ValueDerivation, ValueType } from './query/attributes.js';
export { MAX_CONDITIONS, MAX_DEPTH } from './query/context.js';
export { MAX_IN_VALUES, normaliseDate } from './query/values.js';
export { DEFAULT_MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE, MAX_SORT_KEYS, translateFilter, translateSearchCriteria, translateSort } from './query/translate.js';
export type { TranslateOptions } from './query/translate.js';

export { canonicalJson, digestOf, pythonSortedJson } from './signing/canonical.js';
export type { DigestVariant } from './signing/canonical.js';
export { DCI_SIGNATURE_ALGORITHMS, formatDciSignature, parseDciSignature, signingString } from './signing/dci-signature.js';
export type { DciSignatureAlgorithm, DciSignatureParts } from './signing/dci-signature.js';
export { signedEnvelopeJson, signEnvelope, verifyEnvelope } from './signing/envelope.js';
export type { KeyResolver, SignOptions, SignatureScheme, VerifyOptions, VerifyResult } from './signing/envelope.js';
export type { PrivateKeyInput } from './signing/keys.js';

export { ON_VERIFY_ACTION, SUPPORTED_CLAIMS, VERIFY_ACTION, VERIFY_REQUEST_SCHEMA, VERIFY_RESPONSE_SCHEMA, evaluateClaims } from './verify.js';
export type { ClaimName, ClaimResult, Claims } from './verify.js';
export { COMPACT_EVENT_TYPES, COMPACT_IDENTIFIER_KEYS, COMPACT_SCHEMA, translateCompactRequest } from './compact.js';
export type { CompactAction, CompactOptions, CompactTranslation } from './compact.js';
