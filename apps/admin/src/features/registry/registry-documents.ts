import { graphql } from '../../lib/graphql.js';

export const RegistryPersonsQuery = graphql(`
  query RegistryPersons($expression: JSON, $identifierType: String, $identifierValue: String, $after: String, $first: Int) {
    registryPersons(
      expression: $expression
      identifierType: $identifierType
      identifierValue: $identifierValue
      after: $after
      first: $first
      sort: [{ attribute: "surname" }, { attribute: "given_name" }]
    ) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          givenName
          surname
          sex
          birthDate
          deathDate
          location
          identifiers {
            type
            value
          }
        }
      }
    }
  }
`);

export const RegistryGroupsQuery = graphql(`
  query RegistryGroups($expression: JSON, $identifierType: String, $identifierValue: String, $after: String, $first: Int) {
    registryGroups(expression: $expression, identifierType: $identifierType, identifierValue: $identifierValue, after: $after, first: $first) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          identifierType
          identifierValue
          groupType
          groupSize
          location
          povertyScore
        }
      }
    }
  }
`);

export const RegistryPersonQuery = graphql(`
  query RegistryPerson($id: ID!) {
    registryPerson(id: $id) {
      id
      givenName
      surname
      secondName
      prefix
      suffix
      sex
      birthDate
      birthPlace
      deathDate
      maritalStatus
      isDisabled
      streetAddress
      city
      location
      postalCode
      country
      phoneNumbers
      emails
      registrationDate
      lastUpdated
      identifiers {
        type
        value
      }
      memberships {
        relationship
        isHead
        group {
          id
          identifierType
          identifierValue
          groupType
          groupSize
        }
      }
      events {
        id
        eventType
        recordKind
        payload
        createdAt
        matchedAt
      }
    }
  }
`);

export const RegistryGroupQuery = graphql(`
  query RegistryGroup($id: ID!) {
    registryGroup(id: $id) {
      id
      identifierType
      identifierValue
      groupType
      groupSize
      povertyScore
      povertyScoreType
      streetAddress
      city
      location
      postalCode
      country
      registrationDate
      lastUpdated
      members {
        relationship
        isHead
        person {
          id
          givenName
          surname
          secondName
          sex
          birthDate
          deathDate
          location
          identifiers {
            type
            value
          }
        }
      }
      events {
        id
        eventType
        recordKind
        payload
        createdAt
        matchedAt
      }
    }
  }
`);

export const RecordDeathMutation = graphql(`
  mutation RecordDeath($personId: ID!, $deathDate: String!) {
    recordDeath(personId: $personId, deathDate: $deathDate) {
      person {
        id
      }
      userErrors {
        field
        message
      }
    }
  }
`);

export const CreatePersonMutation = graphql(`
  mutation CreatePerson($input: RegistryPersonInput!) {
    createPerson(input: $input) {
      person {
        id
      }
      userErrors {
        field
        message
      }
    }
  }
`);

export const UpdatePersonMutation = graphql(`
  mutation UpdatePerson($id: ID!, $input: RegistryPersonUpdateInput!) {
    updatePerson(id: $id, input: $input) {
      person {
        id
      }
      userErrors {
        field
        message
      }
    }
  }
`);

export const RecordBirthMutation = graphql(`
  mutation RecordBirth($groupId: ID!, $child: RegistryPersonInput!, $relationship: String) {
    recordBirth(groupId: $groupId, child: $child, relationship: $relationship) {
      person {
        id
      }
      userErrors {
        field
        message
      }
    }
  }
`);

export const AddGroupMemberMutation = graphql(`
  mutation AddGroupMember($groupId: ID!, $personId: ID!, $relationship: String!) {
    addGroupMember(groupId: $groupId, personId: $personId, relationship: $relationship) {
      group {
        id
      }
      userErrors {
        field
        message
      }
    }
  }
`);

export const RemoveGroupMemberMutation = graphql(`
  mutation RemoveGroupMember($groupId: ID!, $personId: ID!) {
    removeGroupMember(groupId: $groupId, personId: $personId) {
      group {
        id
      }
      userErrors {
        field
        message
      }
    }
  }
`);
