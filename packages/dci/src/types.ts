/**
 * Types of the DCI messages we send or receive (social registry spec v1.0.0).
 * Property names are the wire names. Optional fields are optional in the spec.
 */
import type { DciStatus } from './errors.js';

export interface DciEnvelope<H = MsgHeader | MsgCallbackHeader, M = unknown> {
  signature?: string;
  header: H;
  message: M;
}

/** Request header (`MsgHeader_V1.0.0`). */
export interface MsgHeader {
  version?: string;
  message_id: string;
  message_ts: string;
  action: string;
  sender_id: string;
  sender_uri?: string;
  receiver_id?: string;
  total_count: number;
  is_msg_encrypted?: boolean;
  meta?: Record<string, unknown>;
}

/** Callback / response header (`MsgCallbackHeader_V1.0.0`). */
export interface MsgCallbackHeader {
  version?: string;
  message_id: string;
  message_ts: string;
  action: string;
  status: DciStatus;
  status_reason_code?: string;
  status_reason_message?: string;
  total_count?: number;
  completed_count?: number;
  sender_id?: string;
  receiver_id?: string;
  is_msg_encrypted?: boolean;
  meta?: Record<string, unknown>;
}

/**
 * Header we send on callbacks: callback fields plus the request-header ones, because
 * the spec types on-subscribe / on-unsubscribe with the request header (see DEFECTS.md).
 */
export type OutboundHeader = MsgCallbackHeader & { sender_id: string; total_count: number };

export interface EncryptedMessage {
  header: { alg: string; enc: string; kid: string };
  ciphertext: string;
  encrypted_key: string;
  tag: string;
  iv: string;
}

export interface IdTypeValueQuery {
  type: string;
  value: string | number | boolean | Record<string, unknown>;
}

export interface ExpressionQuery {
  type?: string;
  value: { expression: { collection?: string; query: Record<string, unknown> } };
}

export type PredicateOperator = 'gt' | 'lt' | 'eq' | 'ge' | 'le' | 'in';

export interface PredicateExpression {
  attribute_name: string;
  operator: PredicateOperator;
  attribute_value: unknown;
}

export interface PredicateItem {
  seq_num?: number;
  expression1: PredicateExpression;
  condition?: 'and' | 'or' | 'not';
  expression2?: PredicateExpression;
}

export type QueryType = 'idtype-value' | 'expression' | 'predicate';

export interface SortSpec {
  attribute_name: string;
  sort_order?: 'asc' | 'desc';
}

export interface PaginationRequest {
  page_size: number;
  page_number?: number;
}

export interface PaginationResponse {
  page_size: number;
  page_number: number;
  total_count: number;
  /** Our extension (EXTENSIONS.md §7): set, and true, when total_count is an estimate rather than an exact count. */
  total_count_estimated?: true;
}

export interface SearchCriteria {
  version?: string;
  reg_type?: string;
  reg_record_type?: string;
  query_type: QueryType;
  response_entity?: 'Group' | 'Member';
  query: IdTypeValueQuery | ExpressionQuery | PredicateItem[];
  sort?: SortSpec[];
  pagination?: PaginationRequest;
  consent?: Record<string, unknown>;
  authorize?: Record<string, unknown>;
}

export interface SearchRequestItem {
  reference_id: string;
  timestamp: string;
  search_criteria: SearchCriteria;
  locale?: string;
}

export interface SearchRequest {
  transaction_id: string;
  search_request: SearchRequestItem[];
}

export interface SearchResponseData {
  version?: string;
  reg_type?: string;
  reg_record_type?: string;
  reg_records: Record<string, unknown>[];
}

export interface SearchResponseItem {
  reference_id: string;
  timestamp: string;
  status: DciStatus;
  status_reason_code?: string;
  status_reason_message?: string;
  data?: SearchResponseData;
  pagination?: PaginationResponse;
  locale?: string;
}

export interface SearchResponse {
  transaction_id: string;
  correlation_id: string;
  search_response: SearchResponseItem[];
}

export type TxnType = 'search' | 'subscribe' | 'receipt';

export interface TxnStatusRequest {
  transaction_id: string;
  txnstatus_request: {
    reference_id: string;
    txn_type: TxnType;
    attribute_type: 'transaction_id' | 'reference_id_list' | 'correlation_id';
    attribute_value: string | string[];
    locale?: string;
  };
}

export interface TxnStatusResponse {
  transaction_id: string;
  correlation_id: string;
  txnstatus_response: {
    txn_type: TxnType;
    txn_status: SearchResponse | { transaction_id: string; receipt_information: { beneficiaries?: Record<string, unknown>[] } };
  };
}

export interface SubscriptionFrequency {
  start_time: string;
  end_time: string;
  frequency: string;
}

export interface SubscribeCriteria {
  version?: string;
  reg_type?: string;
  reg_event_type: string;
  frequency?: SubscriptionFrequency;
  filter_type?: QueryType | 'graphql';
  filter: IdTypeValueQuery | ExpressionQuery | PredicateItem[] | Record<string, unknown>;
  notify_record_type: string;
  authorize?: Record<string, unknown>;
}

export interface SubscribeRequestItem {
  reference_id: string;
  timestamp: string;
  subscribe_criteria: SubscribeCriteria;
  locale?: string;
}

export interface SubscribeRequest {
  transaction_id: string;
  subscribe_request: SubscribeRequestItem[];
}

export interface SubscriptionInfo {
  version?: string;
  code: string;
  status: 'subscribe' | 'unsubscribe';
  timestamp: string;
  reg_type?: string;
  reg_event_type?: string;
  frequency?: SubscriptionFrequency;
  filter_type?: QueryType | 'graphql';
  filter?: SubscribeCriteria['filter'];
  notify_record_type?: string;
  locale?: string;
}

export interface SubscribeResponseItem {
  reference_id: string;
  timestamp: string;
  status: DciStatus;
  status_reason_code?: string;
  status_reason_message?: string;
  subscriptions?: SubscriptionInfo[];
  pagination?: PaginationResponse;
  locale?: string;
}

export interface SubscribeResponse {
  transaction_id: string;
  correlation_id: string;
  subscribe_response: SubscribeResponseItem[];
}

export interface UnsubscribeRequest {
  transaction_id: string;
  timestamp: string;
  subscription_codes: string[];
}

export interface UnsubscribeResponse {
  transaction_id: string;
  correlation_id: string;
  timestamp: string;
  status: DciStatus;
  status_reason_code?: string;
  status_reason_message?: string;
  subscription_status?: { code: string; status: 'subscribe' | 'unsubscribe' }[];
}

export interface NotifyEventItem {
  reference_id: string;
  timestamp: string;
  data: {
    version?: string;
    reg_type?: string;
    reg_event_type?: 'REGISTER' | 'NewHouseHoldMember';
    reg_record_type: string;
    /** The spec types this as a single object, not an array (see DEFECTS.md). */
    reg_records: Record<string, unknown>;
  };
  locale?: string;
}

export interface NotifyEventRequest {
  transaction_id: string;
  notify_event: NotifyEventItem[];
}

export type { DciAck } from './ack.js';
export type { VerifyRequest, VerifyResponse, VerifyRequestItem, VerifyResponseItem, ClaimResult } from './verify.js';
