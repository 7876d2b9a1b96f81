// Builds the operations console into dist/ (served by the gateway at `/console`). `vite` alone serves it for
// development, sending /api to a running `npm start` on :8080.
import { webApp } from '@bazaar/web-kit/vite';
import { PAGE_PATHS } from './src/lib/routes.ts';

export default webApp({ base: '/console/', proxied: ['/api'], pages: PAGE_PATHS });
