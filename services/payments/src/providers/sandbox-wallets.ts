// sandbox-wallets: the test wallets of API.md, honoured by both sandboxes like a card network's test cards.
export const sandboxWallets = {
  declined: '03000000002', // insufficient balance
  slow: '03000000003', // completes the debit but answers after the caller's deadline
  flaky: '03000000004', // HTTP 500 twice per order, then approves
} as const;

export const walletPattern = /^03\d{9}$/;

// SandboxTransaction: what a sandbox remembers, so inquiries after a timeout tell the truth.
export type SandboxTransaction = {
  txnRef: string;
  order: string; // pp_BillReference / our orderId: what the flaky wallet counts failures by
  wallet: string;
  amount: number; // paisa
  status: 'paid' | 'declined' | 'reversed';
  responseCode: string;
  providerReference: string;
  createdAt: Date;
  reversedAt?: Date;
};

// flakyCounter: failures per order, not per txn ref, since retries may reuse the ref or mint a new attempt.
export function flakyCounter(failuresBeforeSuccess = 2) {
  const failures = new Map<string, number>();
  return (order: string): boolean => {
    const seen = failures.get(order) ?? 0;
    if (seen >= failuresBeforeSuccess) return false;
    failures.set(order, seen + 1);
    return true;
  };
}

// repeatOf: what a debit repeated on a known ref meets: the record as it stands now, never a second debit.
export function repeatOf(t: SandboxTransaction, amount: number, wallet: string): 'replay' | 'reversed' | 'mismatch' {
  if (t.status === 'reversed') return 'reversed';
  return t.amount === amount && t.wallet === wallet ? 'replay' : 'mismatch';
}
