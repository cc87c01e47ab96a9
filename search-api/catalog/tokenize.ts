/**
 * How text becomes search terms, the same for indexed products and for queries: lower case, accents
 * folded, split on anything that is not a letter or a digit.
 *
 * @example
 * ```ts
 * tokenize('Café  Desk-Lamp 2000') // ['cafe', 'desk', 'lamp', '2000']
 * ```
 */
export function tokenize(text: string): string[] {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((token) => token.length > 0 && token.length <= 64);
}
