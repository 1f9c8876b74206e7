import { graphql, type ResultOf } from '../../lib/graphql.js';

const AgreementFields = graphql(`
  fragment AgreementFields on Agreement @_unmask {
    id
    senderId
    name
    purpose
    legalBasis
    validFrom
    validTo
    active
    allowedRegTypes
    allowedRecordTypes
    allowedQueryTypes
    allowedAttributes
    maxPageSize
    dailyQuota
    fieldRules {
      field
      action
      keepLast
      derive
    }
    createdAt
    updatedAt
  }
`);

export type AgreementData = ResultOf<typeof AgreementFields>;

export const AgreementsQuery = graphql(
  `
    query Agreements($senderId: String, $active: Boolean) {
      agreements(senderId: $senderId, active: $active) {
        ...AgreementFields
      }
    }
  `,
  [AgreementFields],
);

export const AgreementQuery = graphql(
  `
    query Agreement($id: ID!) {
      agreement(id: $id) {
        ...AgreementFields
      }
    }
  `,
  [AgreementFields],
);

/** Sender ids and names, for filters and for choosing whose agreement a new one is. */
export const SenderChoicesQuery = graphql(`
  query AgreementSenderChoices {
    senders {
      senderId
      name
      active
    }
  }
`);

/** A real record to preview by default: the registry's first person. */
export const FirstPersonQuery = graphql(`
  query AgreementPreviewFirstPerson {
    registryPersons(first: 1) {
      edges {
        node {
          identifiers {
            type
            value
          }
        }
      }
    }
  }
`);

export const PreviewAgreementQuery = graphql(`
  query PreviewAgreement($senderId: String!, $recordRef: RecordRefInput!, $fieldRules: [FieldRuleInput!]) {
    previewAgreement(senderId: $senderId, recordRef: $recordRef, fieldRules: $fieldRules) {
      recordKind
      original
      shared
      userErrors {
        field
        message
      }
    }
  }
`);

const AgreementPayloadFields = graphql(
  `
    fragment AgreementPayloadFields on AgreementPayload @_unmask {
      agreement {
        ...AgreementFields
      }
      userErrors {
        field
        message
      }
    }
  `,
  [AgreementFields],
);

export const CreateAgreementMutation = graphql(
  `
    mutation CreateAgreement($input: CreateAgreementInput!) {
      createAgreement(input: $input) {
        ...AgreementPayloadFields
      }
    }
  `,
  [AgreementPayloadFields],
);

export const UpdateAgreementMutation = graphql(
  `
    mutation UpdateAgreement($id: ID!, $input: AgreementTermsInput!) {
      updateAgreement(id: $id, input: $input) {
        ...AgreementPayloadFields
      }
    }
  `,
  [AgreementPayloadFields],
);

export const EndAgreementMutation = graphql(
  `
    mutation EndAgreement($id: ID!) {
      endAgreement(id: $id) {
        ...AgreementPayloadFields
      }
    }
  `,
  [AgreementPayloadFields],
);
