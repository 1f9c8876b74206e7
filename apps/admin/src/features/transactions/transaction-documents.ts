import { graphql, type ResultOf, type VariablesOf } from '../../lib/graphql.js';

export const TransactionsQuery = graphql(`
  query Transactions($filter: TransactionFilterInput, $first: Int, $after: String) {
    transactions(filter: $filter, first: $first, after: $after) {
      countAtMost(limit: 10000)
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          createdAt
          senderId
          operation
          httpStatus
          dciStatus
          reasonCode
          durationMs
          transactionId
          asyncStatus
        }
      }
    }
  }
`);

export type TransactionFilter = NonNullable<VariablesOf<typeof TransactionsQuery>['filter']>;
export type TransactionListRow = ResultOf<typeof TransactionsQuery>['transactions']['edges'][number]['node'];

export const TransactionQuery = graphql(`
  query Transaction($id: ID!) {
    transaction(id: $id) {
      id
      createdAt
      senderId
      operation
      endpoint
      httpStatus
      dciStatus
      reasonCode
      durationMs
      transactionId
      messageId
      correlationId
      clientAddress
      asyncStatus
      completedCount
      totalCount
      callbackStatus
    }
  }
`);

export type TransactionDetail = NonNullable<ResultOf<typeof TransactionQuery>['transaction']>;

/** Asked only by roles that may read them (admin, auditor): for others the server answers FORBIDDEN. */
export const TransactionBodiesQuery = graphql(`
  query TransactionBodies($id: ID!) {
    transaction(id: $id) {
      id
      request
      response
    }
  }
`);
