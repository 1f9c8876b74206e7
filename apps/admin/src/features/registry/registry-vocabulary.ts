/** Values the registry accepts, offered as choices in the registry screens. */

/** DCI person identifier types (registryPersons' identifierType, RegistryIdentifierInput.type). */
export const PERSON_IDENTIFIER_TYPES = ['UIN', 'BRN', 'NationalID', 'MOBILE'];

export const SEXES = ['female', 'male', 'other', 'unknown'];
