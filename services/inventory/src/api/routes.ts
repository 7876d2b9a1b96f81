// The inventory service's public HTTP surface: the catalogue for anyone, stock management for admins.
import type { Db } from '@bazaar/kit/database';
import { type App, page, problemAnswer } from '@bazaar/kit/server';
import { addProduct } from '../use-cases/add-product.ts';
import { adjustStock } from '../use-cases/adjust-stock.ts';
import { getProduct, searchProducts } from '../use-cases/browse-catalogue.ts';
import { editProduct } from '../use-cases/edit-product.ts';
import { getStockLevel, listStockLevels } from '../use-cases/stock-levels.ts';
import {
  AdjustmentBody,
  NewProductBody,
  ProductEditBody,
  ProductQuery,
  ProductSchema,
  SkuParams,
  StockLevelSchema,
  StockQuery,
} from './schemas.ts';

export function inventoryRoutes(app: App, deps: { db: Db }): void {
  const { db } = deps;
  const tags = ['Catalogue and inventory'];

  app.get(
    '/api/products',
    {
      schema: {
        tags,
        summary: 'Search the catalogue',
        querystring: ProductQuery,
        response: { 200: page(ProductSchema) },
      },
    },
    async (req) => searchProducts(db, req.query),
  );

  app.get(
    '/api/products/:sku',
    { schema: { tags, summary: 'One product', params: SkuParams, response: { 200: ProductSchema } } },
    async (req) => getProduct(db, req.params.sku),
  );

  app.post(
    '/api/inventory',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Add a product with its opening stock (admin)',
        body: NewProductBody,
        response: { 201: ProductSchema, 409: problemAnswer('SKU_EXISTS: a product with this sku exists') },
      },
    },
    async (req, reply) =>
      reply.code(201).send(await addProduct(db, req.body, { adminId: req.caller!.id, log: req.log })),
  );

  app.patch(
    '/api/inventory/:sku',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: "Change a product's name, description or price (admin); orders already placed keep their price",
        params: SkuParams,
        body: ProductEditBody,
        response: { 200: ProductSchema },
      },
    },
    async (req) => editProduct(db, req.params.sku, req.body, { adminId: req.caller!.id, log: req.log }),
  );

  app.post(
    '/api/inventory/:sku/adjustments',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Correct stock on hand (admin)',
        params: SkuParams,
        body: AdjustmentBody,
        response: {
          200: ProductSchema,
          409: problemAnswer('STOCK_CONFLICT: it would leave less on hand than is reserved'),
        },
      },
    },
    async (req) => adjustStock(db, req.params.sku, req.body, { adminId: req.caller!.id, log: req.log }),
  );

  app.get(
    '/api/inventory',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Stock levels of every sku, or of the skus asked for (admin)',
        querystring: StockQuery,
        response: { 200: page(StockLevelSchema) },
      },
    },
    async (req) => listStockLevels(db, req.query.limit, req.query.cursor, req.query.sku?.split(',')),
  );

  app.get(
    '/api/inventory/:sku',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Stock levels of one sku (admin)',
        params: SkuParams,
        response: { 200: StockLevelSchema },
      },
    },
    async (req) => getStockLevel(db, req.params.sku),
  );
}
