// Link: an anchor whose plain left-clicks move within the console instead of reloading the page.
import { linkThrough } from '@bazaar/web-kit/link';
import { navigate } from '../state.ts';

export const Link = linkThrough(navigate);
