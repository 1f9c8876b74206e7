import { graphql } from '../../lib/graphql.js';

export const ServerKeysQuery = graphql(`
  query ServerKeys {
    serverKeys {
      kid
      algorithm
      state
      signing
      createdAt
      activatedAt
      retiringAt
      publishedUntil
      retiredAt
    }
    jwks
  }
`);

export const GenerateServerKeyMutation = graphql(`
  mutation GenerateServerKey($algorithm: String!) {
    generateServerKey(algorithm: $algorithm) {
      key {
        kid
      }
      userErrors {
        message
        field
      }
    }
  }
`);

export const ImportServerKeyMutation = graphql(`
  mutation ImportServerKey($privateKey: String!) {
    importServerKey(privateKey: $privateKey) {
      key {
        kid
      }
      userErrors {
        message
        field
      }
    }
  }
`);

export const ActivateServerKeyMutation = graphql(`
  mutation ActivateServerKey($kid: String!) {
    activateServerKey(kid: $kid) {
      key {
        kid
      }
      userErrors {
        message
        field
      }
    }
  }
`);

export const RetireServerKeyMutation = graphql(`
  mutation RetireServerKey($kid: String!) {
    retireServerKey(kid: $kid) {
      key {
        kid
      }
      userErrors {
        message
        field
      }
    }
  }
`);
