// NotFound: a page for addresses the shop does not have.
import { Link } from '../components/link.tsx';
import { useTitle } from '../state.ts';

export function NotFound() {
  useTitle('Page not found');
  return (
    <>
      <h1>Page not found</h1>
      <p>There is nothing at this address.</p>
      <p>
        <Link href="/" class="button">
          Go to the shop
        </Link>
      </p>
    </>
  );
}
