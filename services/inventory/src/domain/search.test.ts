import { describe, expect, it } from 'vitest';
import { MAX_SEARCH_WORDS, searchWords } from './search.ts';

describe('a catalogue search', () => {
  it('is its words, lower case, each plural taken back to its singular', () => {
    expect(searchWords('  Ajrak   SHAWLS ')).toEqual(['ajrak', 'shawl']);
    expect(searchWords('chappals')).toEqual(['chappal']);
    expect(searchWords('LAWN-001')).toEqual(['lawn-001']);
  });

  it('leaves short words and double s as they are', () => {
    expect(searchWords('gas bus dress')).toEqual(['gas', 'bus', 'dress']);
  });

  it(`counts ${MAX_SEARCH_WORDS} words at most`, () => {
    expect(searchWords('a b c d e f g h i j')).toHaveLength(MAX_SEARCH_WORDS);
  });
});
