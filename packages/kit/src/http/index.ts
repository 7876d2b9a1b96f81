export { createClient, type Client, type CallOptions, UpstreamError, passThrough } from './client.ts';
