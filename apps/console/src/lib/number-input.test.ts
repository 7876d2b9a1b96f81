import { describe, expect, it } from 'vitest';
import { MAX_PRICE_PAISA, paisaAsInput, parseDelta, parseQuantity, parseRupees } from './number-input.ts';

const paisa = (text: string) => {
  const parsed = parseRupees(text);
  return parsed.ok ? parsed.value : parsed.error;
};

describe('a price typed in rupees', () => {
  it('is read as integer paisa, with or without separators, decimals or "Rs"', () => {
    expect(paisa('1499')).toBe(149900);
    expect(paisa('1,499.50')).toBe(149950);
    expect(paisa('1,499.5')).toBe(149950);
    expect(paisa(' Rs 1,499.00 ')).toBe(149900);
    expect(paisa('rs.250')).toBe(25000);
    expect(paisa('0.01')).toBe(1);
    expect(paisa('.5')).toMatch(/price in rupees/);
    // Lakhs, as prices are written in Pakistan, read the same as thousands.
    expect(paisa('14,99,000')).toBe(149900000);
    expect(paisa('1,499,000')).toBe(149900000);
  });

  it('is exact where a float times 100 is not', () => {
    // 1.15 * 100 is 114.99999999999999, 4.35 * 100 is 434.99999999999994 and 1,099.99 * 100 is 109998.99999999999.
    expect(paisa('1.15')).toBe(115);
    expect(paisa('4.35')).toBe(435);
    expect(paisa('1099.99')).toBe(109999);
    expect(paisa('99,999,999.99')).toBe(9_999_999_999);
    expect(paisa('100,000,000')).toBe(MAX_PRICE_PAISA);
  });

  it('refuses what is not a price, saying why', () => {
    expect(paisa('1.999')).toBe('A price has at most two decimals (paisa).');
    expect(paisa('-5')).toBe('A price cannot be negative.');
    expect(paisa('−5')).toBe('A price cannot be negative.');
    expect(paisa('0')).toBe('A price must be more than Rs 0.');
    expect(paisa('0.00')).toBe('A price must be more than Rs 0.');
    expect(paisa('')).toMatch(/^Enter a price/);
    expect(paisa('   ')).toMatch(/^Enter a price/);
    expect(paisa('1499.')).toBe('Write the paisa after the point, or leave it out.');
    for (const bad of [
      'abc',
      '12abc',
      '1e5',
      '0x10',
      'Infinity',
      'NaN',
      '1 499',
      '1,49',
      '1,4999',
      ',499',
      '1.2.3',
      '+5',
    ])
      expect(paisa(bad), bad).toMatch(/^Enter a price in rupees/);
  });

  it('refuses a price above Rs 10 crore, however many digits it has', () => {
    expect(paisa('100,000,000.01')).toMatch(/at most Rs 100,000,000.00/);
    expect(paisa('9007199254740993')).toMatch(/at most/);
    expect(paisa('9'.repeat(400))).toMatch(/at most/);
  });

  it('is written back for the Edit form the way it is read', () => {
    for (const amount of [1, 50, 149900, 149950, 109999, MAX_PRICE_PAISA]) {
      expect(paisaAsInput(amount)).not.toContain(',');
      expect(paisa(paisaAsInput(amount))).toBe(amount);
    }
    expect(paisaAsInput(149950)).toBe('1499.50');
    expect(paisaAsInput(149900)).toBe('1499');
    expect(paisaAsInput(5)).toBe('0.05');
  });
});

describe('counts of goods', () => {
  const read = (parse: typeof parseDelta, text: string) => {
    const parsed = parse(text);
    return parsed.ok ? parsed.value : parsed.error;
  };

  it('an opening stock is a whole number from 0 to a million', () => {
    expect(read(parseQuantity, '0')).toBe(0);
    expect(read(parseQuantity, '1,000')).toBe(1000);
    expect(read(parseQuantity, '1,000,000')).toBe(1_000_000);
    expect(read(parseQuantity, '1000001')).toBe('At most 1,000,000 at a time.');
    for (const bad of ['-1', '2.5', 'ten', '1e3'])
      expect(read(parseQuantity, bad), bad).toBe('Enter a whole number of items, 0 or more.');
    expect(read(parseQuantity, '')).toMatch(/^Enter how many/);
  });

  it('a change of stock adds or removes, never 0', () => {
    expect(read(parseDelta, '12')).toBe(12);
    expect(read(parseDelta, '+12')).toBe(12);
    expect(read(parseDelta, '-3')).toBe(-3);
    expect(read(parseDelta, '− 3')).toBe(-3);
    expect(read(parseDelta, '-1,000')).toBe(-1000);
    expect(read(parseDelta, '0')).toBe('The change cannot be 0.');
    expect(read(parseDelta, '-0')).toBe('The change cannot be 0.');
    expect(read(parseDelta, '-1000001')).toBe('At most 1,000,000 at a time.');
    expect(read(parseDelta, '')).toMatch(/^Enter how many/);
    expect(read(parseDelta, '-')).toMatch(/^Enter how many/);
    for (const bad of ['1.5', 'abc', '--3', '+-3', '3-'])
      expect(read(parseDelta, bad), bad).toMatch(/^Enter a whole number/);
  });
});
