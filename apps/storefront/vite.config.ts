// Builds the storefront into dist/ (served by the gateway at `/`). `vite` alone serves it for development,
// sending /api (and the JWKS under /.well-known) to a running `npm start` on :8080.
import { webApp } from '@bazaar/web-kit/vite';
import { PAGE_PATHS } from './src/lib/routes.ts';

export default webApp({ proxied: ['/api', '/.well-known'], pages: PAGE_PATHS });
