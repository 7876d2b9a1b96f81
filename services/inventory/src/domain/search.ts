// How the catalogue reads a shopper's search: each word must appear somewhere in a product (its sku, name or
// description, any case), and a plural finds the singular: "ajrak shawls" finds "Ajrak shawl, Sindhi print".

/** The most words of a search that count; the rest are left out. */
export const MAX_SEARCH_WORDS = 8;

/** searchWords splits a search into the words each product must contain, a trailing plural "s" taken off. */
export function searchWords(text: string): string[] {
  const words = text.toLowerCase().split(/\s+/).filter(Boolean).slice(0, MAX_SEARCH_WORDS);
  return words.map((w) => (w.length > 3 && w.endsWith('s') && !w.endsWith('ss') ? w.slice(0, -1) : w));
}
