'use client';

import Link from 'next/link';
import { useCallback, useEffect, useRef, useState, type FormEvent, type RefObject } from 'react';
import { errorMessage, graphql, isAbort, SEARCH_QUERY, type Moment, type PageInfo } from '../lib/api.ts';
import { formatRange, formatTimePrecise } from '../lib/format.ts';
import { activeFilterCount, EMPTY_FILTER, toMomentFilter, writeFilterParams, type FilterFields } from '../lib/search-filter.ts';
import { Library } from './Library.tsx';
import { LoadError, SkeletonList } from './Notices.tsx';

const PAGE_SIZE = 12;
const DEBOUNCE_MS = 300;
/** The API's calibrated floor (DEFAULT_MIN_SIMILARITY in apps/api search-service.ts). */
export const DEFAULT_MIN_SIMILARITY = 0.3;

interface SearchData {
  search: { pageInfo: PageInfo; edges: { cursor: string; node: Moment }[] };
}

interface Criteria {
  query: string;
  minSimilarity: number;
  filter: FilterFields;
}

type Results =
  | { state: 'idle' }
  | { state: 'loading'; criteria: Criteria }
  | { state: 'error'; criteria: Criteria; message: string }
  | { state: 'ready'; criteria: Criteria; moments: Moment[]; pageInfo: PageInfo; more: 'idle' | 'loading' | 'error' };

function sameCriteria(a: Criteria, b: Criteria): boolean {
  return a.query === b.query && a.minSimilarity === b.minSimilarity && JSON.stringify(toMomentFilter(a.filter)) === JSON.stringify(toMomentFilter(b.filter));
}

function syncUrl(criteria: Criteria): void {
  const params = new URLSearchParams();
  if (criteria.query) params.set('q', criteria.query);
  if (criteria.minSimilarity !== DEFAULT_MIN_SIMILARITY) params.set('min', String(criteria.minSimilarity));
  writeFilterParams(criteria.filter, params);
  const search = params.toString();
  window.history.replaceState(window.history.state, '', search ? `/?${search}` : '/');
}

export function SearchView({
  initialQuery,
  initialMinSimilarity,
  initialFilter,
}: {
  initialQuery: string;
  initialMinSimilarity: number;
  initialFilter: FilterFields;
}) {
  const [query, setQuery] = useState(initialQuery);
  const [minSimilarity, setMinSimilarity] = useState(initialMinSimilarity);
  const [filter, setFilter] = useState(initialFilter);
  const [filtersOpen, setFiltersOpen] = useState(activeFilterCount(initialFilter) > 0);
  const [results, setResults] = useState<Results>({ state: 'idle' });
  const controller = useRef<AbortController | null>(null);
  const sentinel = useRef<HTMLLIElement | null>(null);
  const lastCriteria = useRef<Criteria | null>(null);

  const run = useCallback(async (criteria: Criteria) => {
    controller.current?.abort();
    lastCriteria.current = criteria;
    syncUrl(criteria);
    if (!criteria.query) {
      controller.current = null;
      setResults({ state: 'idle' });
      return;
    }
    const abort = new AbortController();
    controller.current = abort;
    setResults({ state: 'loading', criteria });
    try {
      const data = await graphql<SearchData>(
        SEARCH_QUERY,
        { query: criteria.query, first: PAGE_SIZE, minSimilarity: criteria.minSimilarity, filter: toMomentFilter(criteria.filter) },
        abort.signal,
      );
      setResults({ state: 'ready', criteria, moments: data.search.edges.map((edge) => edge.node), pageInfo: data.search.pageInfo, more: 'idle' });
    } catch (error) {
      if (!isAbort(error)) setResults({ state: 'error', criteria, message: errorMessage(error) });
    }
  }, []);

  // Debounced search as the person types or moves the similarity slider.
  useEffect(() => {
    const criteria = { query: query.trim(), minSimilarity, filter };
    const previous = lastCriteria.current;
    if (previous ? sameCriteria(previous, criteria) : !criteria.query) return;
    const timer = setTimeout(() => void run(criteria), previous ? DEBOUNCE_MS : 0);
    return () => clearTimeout(timer);
  }, [query, minSimilarity, filter, run]);

  const loadMore = useCallback(async () => {
    if (results.state !== 'ready' || results.more === 'loading' || !results.pageInfo.hasNextPage) return;
    const { criteria, pageInfo } = results;
    const signal = controller.current?.signal;
    setResults({ ...results, more: 'loading' });
    try {
      const data = await graphql<SearchData>(
        SEARCH_QUERY,
        { query: criteria.query, first: PAGE_SIZE, after: pageInfo.endCursor, minSimilarity: criteria.minSimilarity, filter: toMomentFilter(criteria.filter) },
        signal,
      );
      setResults((current) =>
        current.state === 'ready' && sameCriteria(current.criteria, criteria)
          ? {
              ...current,
              moments: [...current.moments, ...data.search.edges.map((edge) => edge.node)],
              pageInfo: data.search.pageInfo,
              more: 'idle',
            }
          : current,
      );
    } catch (error) {
      if (!isAbort(error)) setResults((current) => (current.state === 'ready' ? { ...current, more: 'error' } : current));
    }
  }, [results]);

  // Infinite scroll: fetch the next page when the end of the list comes into view.
  const canLoadMore = results.state === 'ready' && results.pageInfo.hasNextPage && results.more === 'idle';
  useEffect(() => {
    const target = sentinel.current;
    if (!canLoadMore || !target) return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) void loadMore();
    }, { rootMargin: '400px 0px' });
    observer.observe(target);
    return () => observer.disconnect();
  }, [canLoadMore, loadMore]);

  function submit(event: FormEvent) {
    event.preventDefault();
    void run({ query: query.trim(), minSimilarity, filter });
  }

  const searching = results.state !== 'idle';

  return (
    <>
      <section className={searching ? 'hero hero-compact' : 'hero'} aria-labelledby="search-heading">
        <h1 id="search-heading">{searching ? 'Search' : 'Find the moment, not just the video'}</h1>
        {!searching && <p className="lede">Every video is kept as keyframes and descriptions. Describe what happens and jump straight to it.</p>}
        <form className="search" role="search" onSubmit={submit}>
          <label htmlFor="search-input" className="visually-hidden">
            Search the archive by meaning
          </label>
          <svg className="search-icon" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
            <circle cx="10.5" cy="10.5" r="6.5" fill="none" stroke="currentColor" strokeWidth="2" />
            <path d="M15.5 15.5 21 21" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
          </svg>
          <input
            id="search-input"
            type="search"
            autoComplete="off"
            placeholder="Describe a moment, e.g. “a person walks left to right”"
            value={query}
            onChange={(event) => setQuery(event.target.value)}
          />
          <button type="submit" className="button button-primary">
            Search
          </button>
        </form>
        <div className="search-options">
          <label htmlFor="min-similarity">Minimum similarity</label>
          <input
            id="min-similarity"
            type="range"
            min={0}
            max={0.9}
            step={0.05}
            value={minSimilarity}
            aria-valuetext={`${Math.round(minSimilarity * 100)} percent`}
            onChange={(event) => setMinSimilarity(Number(event.target.value))}
          />
          <output htmlFor="min-similarity" className="similarity-value">
            {minSimilarity.toFixed(2)}
          </output>
          <button
            type="button"
            className="button button-small button-ghost"
            aria-expanded={filtersOpen}
            aria-controls="search-filters"
            onClick={() => setFiltersOpen((open) => !open)}
          >
            Filters{activeFilterCount(filter) > 0 ? ` (${activeFilterCount(filter)})` : ''}
          </button>
          <span className="muted small hint">Exact word matches always count; the slider filters matches by meaning.</span>
        </div>
        {filtersOpen && <FilterPanel filter={filter} onChange={setFilter} />}
      </section>

      {searching ? <MomentResults results={results} loadMore={loadMore} sentinel={sentinel} /> : <Library />}
    </>
  );
}

function FilterPanel({ filter, onChange }: { filter: FilterFields; onChange(next: FilterFields): void }) {
  const field = (key: keyof FilterFields) => ({
    value: filter[key],
    onChange: (event: { target: { value: string } }) => onChange({ ...filter, [key]: event.target.value }),
  });
  return (
    <fieldset id="search-filters" className="filters">
      <legend className="visually-hidden">Search filters</legend>
      <label>
        <span>Tags</span>
        <input type="text" placeholder="e.g. lecture, 2024" autoComplete="off" {...field('tags')} />
      </label>
      <label>
        <span>Min length (s)</span>
        <input type="number" min={0} step="any" inputMode="decimal" {...field('minDuration')} />
      </label>
      <label>
        <span>Max length (s)</span>
        <input type="number" min={0} step="any" inputMode="decimal" {...field('maxDuration')} />
      </label>
      <label>
        <span>Added from</span>
        <input type="date" {...field('after')} />
      </label>
      <label>
        <span>Added until</span>
        <input type="date" {...field('before')} />
      </label>
      {activeFilterCount(filter) > 0 && (
        <button type="button" className="button button-small button-ghost" onClick={() => onChange(EMPTY_FILTER)}>
          Clear filters
        </button>
      )}
    </fieldset>
  );
}

function MomentResults({
  results,
  loadMore,
  sentinel,
}: {
  results: Exclude<Results, { state: 'idle' }>;
  loadMore: () => Promise<void>;
  sentinel: RefObject<HTMLLIElement | null>;
}) {
  return (
    <section aria-labelledby="results-heading" className="results" aria-busy={results.state === 'loading'}>
      <h2 id="results-heading">
        Moments{' '}
        {results.state === 'ready' && (
          <span className="muted count" aria-live="polite">
            {results.moments.length}
            {results.pageInfo.hasNextPage ? '+' : ''} for “{results.criteria.query}”
          </span>
        )}
      </h2>
      {results.state === 'loading' && (
        <SkeletonList ordered count={6} label="Loading moments" className="moment-grid" itemClassName="moment-card" />
      )}
      {results.state === 'error' && (
        <LoadError message={`The search failed: ${results.message}`} />
      )}
      {results.state === 'ready' && results.moments.length === 0 && (
        <div className="empty-state">
          <p className="empty-title">No moments match “{results.criteria.query}”.</p>
          <p className="muted">Try other words, describe the motion (“pans left”, “zooms in”), or lower the minimum similarity.</p>
        </div>
      )}
      {results.state === 'ready' && results.moments.length > 0 && (
        <ol className="moment-grid" data-testid="search-results">
          {results.moments.map((moment, position) => (
            <li key={`${moment.video.id}-${moment.startSeconds}-${moment.caption.kind}-${position}`}>
              <MomentCard moment={moment} />
            </li>
          ))}
          {results.pageInfo.hasNextPage && (
            <li ref={sentinel} className="load-more">
              {results.more === 'loading' && <p className="muted">Loading more moments…</p>}
              {results.more !== 'loading' && (
                <button type="button" className="button" onClick={() => void loadMore()}>
                  {results.more === 'error' ? 'Loading failed — try again' : 'Show more moments'}
                </button>
              )}
            </li>
          )}
        </ol>
      )}
    </section>
  );
}

const KIND_LABEL: Readonly<Record<Moment['caption']['kind'], string>> = { CONTENT: 'Scene', MOTION: 'Motion', SPEECH: 'Speech' };

/** The bar and the number are the moment's similarity to the query, 0 to 100 %. */
function MomentCard({ moment }: { moment: Moment }) {
  const href = `/videos/${encodeURIComponent(moment.video.id)}?t=${Number(moment.startSeconds.toFixed(3))}`;
  const kind = KIND_LABEL[moment.caption.kind];
  const percent = Math.round(Math.min(1, Math.max(0, moment.similarity)) * 100);
  return (
    <Link href={href} className="moment-card" data-testid="moment">
      <div className="thumb">
        {moment.thumbnailUrl ? <img src={moment.thumbnailUrl} alt="" loading="lazy" /> : <div className="no-thumb" />}
        <span className="time-badge">{formatTimePrecise(moment.startSeconds)}</span>
      </div>
      <div className="moment-body">
        <p className="moment-title">{moment.video.title}</p>
        <p className="muted small">
          <span className={`tag tag-${kind.toLowerCase()}`}>{kind}</span> {formatRange(moment.startSeconds, moment.endSeconds)}
        </p>
        <p className="caption" dangerouslySetInnerHTML={{ __html: moment.highlight }} />
        <p className="score small">
          <span className="visually-hidden">Similarity </span>
          <span className="score-bar" aria-hidden="true">
            <span style={{ width: `${percent}%` }} />
          </span>
          <span className="muted">{percent}% similar</span>
        </p>
      </div>
    </Link>
  );
}
