// The seed tutorial's order service, as the tutorial writes it: Express, orders in an array, prices from a list,
// and a plain HTTP call to the payment service before answering. No database, no idempotency, no outbox, no saga:
// the baseline that Bazaar's order placement is compared with, driven the same way.
import express from 'express';

const app = express();
app.use(express.json());

const PAYMENT_SERVICE_URL = process.env.PAYMENT_SERVICE_URL ?? 'http://127.0.0.1:4002';

const products = [
  { sku: 'LAWN-001', name: 'Embroidered lawn suit, 3-piece', price: 450000 },
  { sku: 'CHAPPAL-001', name: 'Peshawari chappal', price: 320000 },
  { sku: 'RICE-001', name: 'Basmati rice, 5 kg', price: 215000 },
  { sku: 'AJRAK-001', name: 'Ajrak shawl', price: 280000 },
  { sku: 'APRICOT-001', name: 'Hunza dried apricots, 500 g', price: 110000 },
  { sku: 'TEA-001', name: 'Kashmiri tea, 250 g', price: 95000 },
  { sku: 'TOPI-001', name: 'Sindhi topi', price: 120000 },
  { sku: 'SALT-001', name: 'Himalayan pink salt lamp', price: 165000 },
];
const orders: { id: number; items: unknown[]; total: number; status: string; paymentId?: number }[] = [];

app.post('/orders', async (req, res) => {
  const { items, payment } = req.body;
  if (!Array.isArray(items) || items.length === 0) {
    res.status(400).json({ error: 'items are required' });
    return;
  }
  let total = 0;
  for (const item of items) {
    const product = products.find((p) => p.sku === item.sku);
    if (!product) {
      res.status(400).json({ error: `unknown product ${item.sku}` });
      return;
    }
    total += product.price * item.quantity;
  }
  const order = {
    id: orders.length + 1,
    items,
    total,
    status: 'PENDING' as string,
    paymentId: undefined as number | undefined,
  };
  orders.push(order);

  const response = await fetch(`${PAYMENT_SERVICE_URL}/payments`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ orderId: order.id, amount: total, method: payment?.method }),
  });
  const result = await response.json();
  if (result.status === 'APPROVED') {
    order.status = 'CONFIRMED';
    order.paymentId = result.id;
    res.status(201).json(order);
  } else {
    order.status = 'REJECTED';
    res.status(402).json(order);
  }
});

app.get('/orders/:id', (req, res) => {
  const order = orders.find((o) => o.id === Number(req.params.id));
  if (!order) {
    res.status(404).json({ error: 'not found' });
    return;
  }
  res.json(order);
});

const port = Number(process.env.PORT ?? 4001);
app.listen(port, '127.0.0.1', () => console.log(`order service listening on ${port}`));
process.on('SIGTERM', () => process.exit(0));
