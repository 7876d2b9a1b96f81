// Customer: an order's customer by name, asked of the users service; by id until the name comes, or if it cannot.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../state.ts';

/** useCustomerNames asks once for each id it has not asked for yet: the orders page polls every 2 s. */
export function useCustomerNames(ids: string[]): Record<string, string> {
  const [names, setNames] = useState<Record<string, string>>({});
  const asked = useRef(new Set<string>());
  const key = [...new Set(ids)].sort().join(',');
  useEffect(() => {
    const missing = key
      .split(',')
      .filter((id) => id && !asked.current.has(id))
      .slice(0, 100);
    if (!missing.length) return;
    for (const id of missing) asked.current.add(id);
    api
      .users(missing)
      .then((page) => setNames((n) => ({ ...n, ...Object.fromEntries(page.items.map((u) => [u.id, u.name])) })))
      // Asked again with the next ids that change: the id stands in meanwhile.
      .catch(() => {
        for (const id of missing) asked.current.delete(id);
      });
  }, [key]);
  return names;
}

export function Customer({ id, names }: { id: string; names: Record<string, string> }) {
  const name = names[id];
  return name ? (
    <span class="customer" title={id}>
      {name}
    </span>
  ) : (
    <code class="id">{id}</code>
  );
}
