import { graphql } from '../../lib/graphql.js';

export const DashboardQuery = graphql(`
  query Dashboard($from: DateTimeISO) {
    dashboard(from: $from) {
      from
      to
      bucketMinutes
      requestCount
      errorCount
      errorRate
      p50Ms
      p95Ms
      asyncBacklog
      requests {
        bucketStart
        operation
        dciStatus
        count
      }
      topSenders {
        senderId
        requests
        errors
      }
      deliveries {
        pending
        failed
        dead
      }
      expiringSenderKeys {
        senderId
        keyId
        notAfter
      }
      unsignedSenders
    }
  }
`);
