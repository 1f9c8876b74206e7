/** U+0000 and unpaired surrogates: no valid text carries them, and PostgreSQL can store neither. */
const INVALID_CHARACTER = String.raw`\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]`;
const FIND_ONE = new RegExp(INVALID_CHARACTER);
const FIND_ALL = new RegExp(INVALID_CHARACTER, 'g');

export const hasInvalidCharacter = (text: string): boolean => FIND_ONE.test(text);

/** Whether any string or key anywhere in a JSON value carries such a character. */
export function anyInvalidText(value: unknown): boolean {
  if (typeof value === 'string') return hasInvalidCharacter(value);
  if (Array.isArray(value)) return value.some(anyInvalidText);
  if (value && typeof value === 'object') return Object.entries(value).some(([key, item]) => hasInvalidCharacter(key) || anyInvalidText(item));
  return false;
}

/** Text PostgreSQL can store: each such character written out as its `\uXXXX` escape text. */
export const escapeInvalidCharacters = (text: string): string => text.replace(FIND_ALL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
