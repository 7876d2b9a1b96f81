export { type CallOptions, type Client, createClient, passThrough, UpstreamError } from './client.ts';
