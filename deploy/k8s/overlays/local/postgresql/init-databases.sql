-- Database per service: one login role and one database per service, each role able to connect only to its own.
-- Runs once, when PostgreSQL initialises an empty data directory (the local cluster and deploy/compose.yaml).
-- The passwords are local, published values; for a managed server see deploy/README.md.
CREATE ROLE bazaar_users LOGIN PASSWORD 'users-local';
CREATE ROLE bazaar_inventory LOGIN PASSWORD 'inventory-local';
CREATE ROLE bazaar_orders LOGIN PASSWORD 'orders-local';
CREATE ROLE bazaar_payments LOGIN PASSWORD 'payments-local';
CREATE ROLE bazaar_shipping LOGIN PASSWORD 'shipping-local';

CREATE DATABASE bazaar_users OWNER bazaar_users;
CREATE DATABASE bazaar_inventory OWNER bazaar_inventory;
CREATE DATABASE bazaar_orders OWNER bazaar_orders;
CREATE DATABASE bazaar_payments OWNER bazaar_payments;
CREATE DATABASE bazaar_shipping OWNER bazaar_shipping;

REVOKE ALL ON DATABASE bazaar_users, bazaar_inventory, bazaar_orders, bazaar_payments, bazaar_shipping FROM PUBLIC;
