import { graphql } from '../../lib/graphql.js';

export const StaffUsersQuery = graphql(`
  query StaffUsers {
    staffUsers {
      id
      email
      name
      role
      active
      createdAt
    }
  }
`);

export const CreateStaffUserMutation = graphql(`
  mutation CreateStaffUser($email: String!, $role: String!, $name: String) {
    createStaffUser(email: $email, role: $role, name: $name) {
      staff {
        email
        role
      }
      password
      userErrors {
        field
        message
      }
    }
  }
`);

export const ApiTokensQuery = graphql(`
  query ApiTokens {
    apiTokens {
      id
      email
      name
      role
      createdAt
      expiresAt
      lastUsedAt
      revoked
    }
  }
`);

export const CreateApiTokenMutation = graphql(`
  mutation CreateApiToken($name: String!, $role: String, $expiresAt: DateTimeISO) {
    createApiToken(name: $name, role: $role, expiresAt: $expiresAt) {
      token
      role
      expiresAt
      userErrors {
        field
        message
      }
    }
  }
`);

export const RevokeApiTokenMutation = graphql(`
  mutation RevokeApiToken($id: ID!) {
    revokeApiToken(id: $id) {
      revoked
      userErrors {
        field
        message
      }
    }
  }
`);

export const StaffActionsQuery = graphql(`
  query StaffActions($after: String, $first: Int, $actor: String, $action: String, $target: String) {
    staffActions(after: $after, first: $first, actor: $actor, action: $action, target: $target) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          at
          actor
          action
          target
          before
          after
        }
      }
    }
  }
`);
