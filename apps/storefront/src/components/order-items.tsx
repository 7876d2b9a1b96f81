// OrderItems: what an order bought, at the prices it was placed at, with the shipping fee and the total.
import type { Order } from '../lib/api.ts';
import { formatMoney } from '../lib/money.ts';
import { productPath } from '../lib/routes.ts';
import { Link } from './link.tsx';

export function OrderItems({ order }: { order: Order }) {
  return (
    <section class="card" aria-labelledby="items-title">
      <h2 id="items-title">Items</h2>
      <table class="items">
        <thead>
          <tr>
            <th scope="col">Item</th>
            <th scope="col" class="num">
              Qty
            </th>
            <th scope="col" class="num">
              Amount
            </th>
          </tr>
        </thead>
        <tbody>
          {order.items.map((item) => (
            <tr key={item.sku}>
              <td>
                <Link href={productPath(item.sku)}>{item.name}</Link>
                <div class="muted small">{formatMoney(item.unitPrice)} each</div>
              </td>
              <td class="num">{item.quantity}</td>
              <td class="num nowrap">
                {formatMoney({ amount: item.unitPrice.amount * item.quantity, currency: item.unitPrice.currency })}
              </td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row" colSpan={2}>
              Subtotal
            </th>
            <td class="num nowrap">{formatMoney(order.subtotal)}</td>
          </tr>
          <tr>
            <th scope="row" colSpan={2}>
              Shipping to {order.shipping.city}
            </th>
            <td class="num nowrap">{formatMoney(order.shippingFee)}</td>
          </tr>
          <tr class="total">
            <th scope="row" colSpan={2}>
              Total
            </th>
            <td class="num nowrap">{formatMoney(order.total)}</td>
          </tr>
        </tfoot>
      </table>
    </section>
  );
}
