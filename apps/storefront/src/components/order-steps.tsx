// OrderSteps: an order's progress as a row of steps (received, confirmed, shipped, delivered), each with its time;
// a rejected or cancelled order ends at that step instead.
import { isNewerStatus } from '../lib/order-status.ts';
import type { OrderStatus } from '../lib/order-stream.ts';
import { statusLabel, When } from './bits.tsx';

export function OrderSteps({ status, times }: { status: OrderStatus; times: Record<string, string> }) {
  const failed = status === 'REJECTED' || status === 'CANCELLED';
  const steps: { key: string; label: string }[] = [
    // Not 'Placed': a rejected order would read 'Placed ✓, Not placed ✗'.
    { key: 'PENDING', label: 'Order received' },
    { key: 'CONFIRMED', label: 'Confirmed' },
    { key: 'SHIPPED', label: 'Shipped' },
    { key: 'DELIVERED', label: 'Delivered' },
  ];
  const shown = failed
    ? [...steps.filter((s) => times[s.key] || s.key === 'PENDING'), { key: status, label: statusLabel(status) }]
    : steps;
  return (
    <ol class={`steps${failed ? ' steps--failed' : ''}`} aria-label="Order progress">
      {shown.map((step) => {
        const done = failed || step.key === status || isNewerStatus(step.key, status);
        const isCurrent = step.key === status;
        return (
          <li
            key={step.key}
            class={`step${done ? ' step--done' : ''}${isCurrent ? ' step--current' : ''}`}
            aria-current={isCurrent ? 'step' : undefined}
          >
            <span class="step-dot" aria-hidden="true" />
            <span class="step-label">
              <span class="visually-hidden">{done ? (isCurrent ? 'Current: ' : 'Done: ') : 'Next: '}</span>
              {step.label}
            </span>
            {times[step.key] && (
              <span class="step-time">
                <When at={times[step.key]} />
              </span>
            )}
          </li>
        );
      })}
    </ol>
  );
}
