/** Example messages shared by the tests, built from the spec's own examples. */
import type { DciEnvelope, MsgHeader, SearchRequest } from '../types.js';

export function searchHeader(overrides: Partial<MsgHeader> = {}): MsgHeader {
  return {
    version: '1.0.0',
    message_id: '123',
    message_ts: '2024-05-01T10:00:00+00:00',
    action: 'search',
    sender_id: 'spmis.example.org',
    sender_uri: 'https://spmis.example.org/callback/on-search',
    receiver_id: 'social.example.org',
    total_count: 1,
    is_msg_encrypted: false,
    ...overrides,
  };
}

export function expressionSearch(): SearchRequest {
  return {
    transaction_id: '0123456789',
    search_request: [
      {
        reference_id: '12345678901234567890',
        timestamp: '2024-05-01T10:00:00Z',
        search_criteria: {
          version: '1.0.0',
          reg_type: 'ns:org:RegistryType:Social',
          reg_record_type: 'Group',
          query_type: 'expression',
          query: {
            type: 'ns:org:QueryType:expression',
            value: {
              expression: {
                collection: 'Group',
                query: { $and: [{ poverty_score: { $lt: 5 } }, { location: { $eq: 'central_region' } }, { group_size: { $lt: 5 } }] },
              },
            },
          },
          sort: [{ attribute_name: 'poverty_score', sort_order: 'asc' }],
          pagination: { page_size: 10, page_number: 1 },
        },
        locale: 'eng',
      },
    ],
  };
}

export function searchEnvelope(): DciEnvelope<MsgHeader, SearchRequest> {
  return { signature: 'not-checked-by-schema', header: searchHeader(), message: expressionSearch() };
}
