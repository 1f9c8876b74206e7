/** U+0000 and unpaired surrogates: no valid text carries them, and PostgreSQL can store neither. */
const INVALID_CHARACTER = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const hasInvalidCharacter = (text: string): boolean => INVALID_CHARACTER.test(text);

/** Whether any string or key anywhere in a JSON value carries such a character. */
export function anyInvalidText(value: unknown): boolean {
  if (typeof value === 'string') return hasInvalidCharacter(value);
  if (Array.isArray(value)) return value.some(anyInvalidText);
  if (value && typeof value === 'object') return Object.entries(value).some(([key, item]) => hasInvalidCharacter(key) || anyInvalidText(item));
  return false;
}
