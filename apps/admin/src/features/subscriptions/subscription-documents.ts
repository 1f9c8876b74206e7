import { graphql } from '../../lib/graphql.js';

export const SubscriptionsQuery = graphql(`
  query Subscriptions($filter: NotificationSubscriptionFilterInput, $first: Int, $after: String, $deliveryStatus: String) {
    subscriptions(filter: $filter, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          code
          senderId
          eventType
          recordType
          callbackUrl
          status
          consecutiveFailures
          createdAt
          deliveries(status: $deliveryStatus, first: 1) {
            totalCount
          }
        }
      }
    }
  }
`);

export const SubscriptionQuery = graphql(
  `
    query Subscription($code: String!, $status: String, $first: Int, $after: String) {
      subscription(code: $code) {
        code
        senderId
        eventType
        regType
        recordType
        callbackUrl
        filterType
        filter
        frequency
        status
        consecutiveFailures
        pausedUntil
        suspendedAt
        createdAt
        updatedAt
        deliveries(status: $status, first: $first, after: $after) {
          totalCount
          pageInfo {
            hasNextPage
            endCursor
          }
          edges {
            node {
              id
              eventId
              eventType
              recordId
              status
              attemptCount
              nextAttemptAt
              lastHttpStatus
              lastError
              deliveredAt
              createdAt
              updatedAt
              attempts {
                attemptedAt
                httpStatus
                latencyMs
                responseExcerpt
                error
                nextAttemptAt
              }
            }
          }
        }
      }
    }
  `,
);

export const DeadLetterCountQuery = graphql(`
  query DeadLetterCount($filter: DeadLetterFilterInput!) {
    deadLetterCount(filter: $filter)
  }
`);

export const PauseSubscriptionMutation = graphql(
  `
    mutation PauseSubscription($code: String!) {
      pauseSubscription(code: $code) {
        subscription {
          code
          status
        }
        userErrors {
          message
          field
        }
      }
    }
  `,
);

export const ResumeSubscriptionMutation = graphql(
  `
    mutation ResumeSubscription($code: String!) {
      resumeSubscription(code: $code) {
        subscription {
          code
          status
        }
        userErrors {
          message
          field
        }
      }
    }
  `,
);

export const CancelSubscriptionMutation = graphql(
  `
    mutation CancelSubscription($code: String!) {
      cancelSubscription(code: $code) {
        subscription {
          code
          status
        }
        userErrors {
          message
          field
        }
      }
    }
  `,
);

export const ResendDeliveryMutation = graphql(`
  mutation ResendDelivery($id: ID!) {
    resendDelivery(id: $id) {
      resentCount
      userErrors {
        message
        field
      }
    }
  }
`);

export const ResendDeadLettersMutation = graphql(`
  mutation ResendDeadLetters($filter: DeadLetterFilterInput!) {
    resendDeadLetters(filter: $filter) {
      resentCount
      userErrors {
        message
        field
      }
    }
  }
`);
