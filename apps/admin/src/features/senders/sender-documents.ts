import { graphql } from '../../lib/graphql.js';

/** What the server accepts (see CreateSenderInput in schema.graphql). */
export const OPERATIONS = ['search', 'verify', 'subscribe', 'unsubscribe', 'txn_status', 'notify'] as const;
export const DEFAULT_OPERATIONS = ['search', 'verify', 'txn_status'];
export const SIGNATURE_SCHEMES = ['dci-signature', 'jws'] as const;

export const SendersQuery = graphql(`
  query Senders($filter: SenderFilter) {
    senders(filter: $filter) {
      senderId
      name
      active
      allowUnsigned
      allowedOperations
      keys {
        revoked
      }
      clients {
        active
      }
    }
  }
`);

export const SenderQuery = graphql(`
  query Sender($senderId: String!) {
    sender(senderId: $senderId) {
      senderId
      name
      description
      contact
      active
      allowUnsigned
      rateLimitPerMinute
      allowedOperations
      preferredScheme
      senderUri
      allowedCallbackOrigins
      notifyAuth {
        type
        tokenUrl
        clientId
        scope
      }
      keys {
        keyId
        algorithm
        fingerprint
        revoked
        notBefore
        notAfter
      }
      clients {
        clientId
        active
        lastUsedAt
      }
      usage(days: 14) {
        bucketStart
        dciStatus
        count
      }
    }
  }
`);

export const SenderTransactionsQuery = graphql(`
  query SenderTransactions($senderId: String!) {
    transactions(filter: { senderId: $senderId }, first: 10) {
      totalCount
      edges {
        node {
          id
          createdAt
          operation
          dciStatus
          httpStatus
          reasonCode
          durationMs
        }
      }
    }
  }
`);

export const CreateSenderMutation = graphql(`
  mutation CreateSender($input: CreateSenderInput!) {
    createSender(input: $input) {
      sender {
        senderId
      }
      userErrors {
        field
        message
      }
    }
  }
`);

export const UpdateSenderMutation = graphql(`
  mutation UpdateSender($senderId: String!, $input: UpdateSenderInput!) {
    updateSender(senderId: $senderId, input: $input) {
      sender {
        senderId
      }
      userErrors {
        field
        message
      }
    }
  }
`);

export const SetSenderActiveMutation = graphql(`
  mutation SetSenderActive($senderId: String!, $active: Boolean!) {
    setSenderActive(senderId: $senderId, active: $active) {
      sender {
        senderId
      }
      userErrors {
        field
        message
      }
    }
  }
`);

export const SetSenderRateLimitMutation = graphql(`
  mutation SetSenderRateLimit($senderId: String!, $perMinute: Int) {
    setSenderRateLimit(senderId: $senderId, perMinute: $perMinute) {
      sender {
        senderId
      }
      userErrors {
        field
        message
      }
    }
  }
`);

export const AddSenderKeyMutation = graphql(`
  mutation AddSenderKey($input: AddSenderKeyInput!) {
    addSenderKey(input: $input) {
      sender {
        senderId
        keys {
          keyId
          fingerprint
        }
      }
      userErrors {
        field
        message
      }
    }
  }
`);

export const RevokeSenderKeyMutation = graphql(`
  mutation RevokeSenderKey($senderId: String!, $keyId: String!) {
    revokeSenderKey(senderId: $senderId, keyId: $keyId) {
      sender {
        senderId
      }
      userErrors {
        field
        message
      }
    }
  }
`);

export const CreateOAuthClientMutation = graphql(`
  mutation CreateOAuthClient($senderId: String!) {
    createOAuthClient(senderId: $senderId) {
      clientId
      clientSecret
      userErrors {
        field
        message
      }
    }
  }
`);

export const RotateOAuthClientSecretMutation = graphql(`
  mutation RotateOAuthClientSecret($clientId: String!) {
    rotateOAuthClientSecret(clientId: $clientId) {
      clientId
      clientSecret
      userErrors {
        field
        message
      }
    }
  }
`);

export const DisableOAuthClientMutation = graphql(`
  mutation DisableOAuthClient($clientId: String!) {
    disableOAuthClient(clientId: $clientId) {
      sender {
        senderId
      }
      userErrors {
        field
        message
      }
    }
  }
`);

export const SetNotifyAuthMutation = graphql(`
  mutation SetNotifyAuth($senderId: String!, $input: NotifyAuthInputType!) {
    setNotifyAuth(senderId: $senderId, input: $input) {
      sender {
        senderId
      }
      userErrors {
        field
        message
      }
    }
  }
`);
