// The seed tutorial's payment service, as the tutorial writes it: Express, payments in an array, always approved.
// (The baseline that order placement is measured against; not an example to follow.)
import express from 'express';

const app = express();
app.use(express.json());

const payments: { id: number; orderId: number; amount: number; method: string; status: string }[] = [];

app.post('/payments', (req, res) => {
  const { orderId, amount, method } = req.body;
  const payment = { id: payments.length + 1, orderId, amount, method, status: 'APPROVED' };
  payments.push(payment);
  res.status(201).json(payment);
});

app.get('/payments', (_req, res) => {
  res.json(payments);
});

const port = Number(process.env.PORT ?? 4002);
app.listen(port, '127.0.0.1', () => console.log(`payment service listening on ${port}`));
process.on('SIGTERM', () => process.exit(0));
