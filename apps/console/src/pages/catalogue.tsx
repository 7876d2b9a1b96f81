// Catalogue: every product with its price and stock (on hand, reserved, available, sold), 20 more at a time, found
// by text; each row adjusts its stock or edits the product, and a form adds a product. Refreshed every 5 s.
import { useState } from 'preact/hooks';
import { AddProduct } from '../components/add-product.tsx';
import { Freshness, PageTitle, ProblemNotice } from '../components/bits.tsx';
import { CatalogueTable } from '../components/catalogue-table.tsx';
import { loadCatalogue } from '../lib/catalogue.ts';
import { api, usePoll } from '../state.ts';

const EVERY_MS = 5_000;
const PAGE_SIZE = 20;

function Search({ q, onSearch }: { q: string; onSearch: (q: string) => void }) {
  const [text, setText] = useState(q);
  return (
    <search class="catalogue-search">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          onSearch(text.trim());
        }}
      >
        <label for="catalogue-q">Search the catalogue</label>
        <div class="inline">
          <input
            id="catalogue-q"
            type="search"
            value={text}
            placeholder="sku, name or description"
            maxLength={100}
            spellcheck={false}
            autocomplete="off"
            onInput={(e) => setText(e.currentTarget.value)}
          />
          <button type="submit">Search</button>
          {q && (
            <button
              type="button"
              onClick={() => {
                setText('');
                onSearch('');
              }}
            >
              Show all
            </button>
          )}
        </div>
      </form>
    </search>
  );
}

export function CataloguePage() {
  const [live, setLive] = useState(true);
  const [q, setQ] = useState('');
  const [wanted, setWanted] = useState(PAGE_SIZE);
  const [adding, setAdding] = useState(false);
  const [outcome, setOutcome] = useState('');
  const polled = usePoll(
    async () => ({ q, wanted, catalogue: await loadCatalogue(api, q, wanted) }),
    EVERY_MS,
    [q, wanted],
    live,
  );
  // Loading more keeps the rows shown; another search does not show the last one's.
  const data = polled.data?.q === q ? polled.data : undefined;
  const rows = data?.catalogue.rows;
  const what = q ? `products matching “${q}”` : 'products';
  const changed = (text: string) => {
    setOutcome(text);
    polled.refresh();
  };
  const closeAdding = () => {
    setAdding(false);
    requestAnimationFrame(() => document.getElementById('add-product-open')?.focus());
  };

  return (
    <>
      <div class="page-head">
        <PageTitle title="Catalogue">Catalogue and stock</PageTitle>
        <Freshness updatedAt={polled.updatedAt} live={live} onToggle={() => setLive(!live)} everyMs={EVERY_MS} />
      </div>
      <div class="catalogue-tools">
        <Search
          q={q}
          onSearch={(next) => {
            setQ(next);
            setWanted(PAGE_SIZE);
          }}
        />
        <button
          type="button"
          class="primary"
          id="add-product-open"
          aria-expanded={adding}
          aria-controls={adding ? 'add-product' : undefined}
          onClick={() => (adding ? closeAdding() : setAdding(true))}
        >
          Add product
        </button>
      </div>
      {adding && (
        <AddProduct
          onClose={closeAdding}
          onDone={(text) => {
            closeAdding();
            changed(text);
          }}
        />
      )}
      <p class="live-outcome notice ok" role="status" aria-live="polite">
        {outcome}
      </p>
      <ProblemNotice error={polled.error} what="the catalogue" />
      {!rows && !polled.error && <p class="muted">Loading the {what}…</p>}
      {rows && rows.length === 0 && <p class="muted">{q ? `No product matches “${q}”.` : 'The catalogue is empty.'}</p>}
      {rows && rows.length > 0 && (
        <CatalogueTable rows={rows} caption={`The ${what} in sku order, ${rows.length} shown`} onChanged={changed} />
      )}
      {rows && (
        <div class="pager">
          <span>
            {rows.length} {rows.length === 1 ? 'product' : 'products'} shown
            {data?.catalogue.more ? '' : ', all there are'}
          </span>
          {data?.catalogue.more && (
            // aria-disabled, not disabled: the button keeps the focus while the next rows load.
            <button
              type="button"
              aria-disabled={data.wanted < wanted}
              onClick={() => data.wanted === wanted && setWanted(wanted + PAGE_SIZE)}
            >
              {data.wanted < wanted ? 'Loading…' : `Load ${PAGE_SIZE} more`}
            </button>
          )}
        </div>
      )}
    </>
  );
}
