// How `bazaar verify` shows money: rupees with the shop's grouping, never raw paisa.
import { expect, it } from 'vitest';
import { rupees } from './verify.ts';

it('shows paisa as rupees with thousands separators and two decimals', () => {
  expect(rupees(123_456_789)).toBe('Rs 1,234,567.89');
  expect(rupees(149_900)).toBe('Rs 1,499.00');
  expect(rupees(0)).toBe('Rs 0.00');
  expect(rupees(-5_050)).toBe('Rs -50.50');
});
