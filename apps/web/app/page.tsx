import { SearchView, DEFAULT_MIN_SIMILARITY } from '../components/SearchView.tsx';
import { filterFromParams } from '../lib/search-filter.ts';

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export default async function SearchPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const min = Number(first(params.min));
  return (
    <SearchView
      initialQuery={first(params.q)?.trim() ?? ''}
      initialMinSimilarity={Number.isFinite(min) && min >= 0 && min <= 1 ? min : DEFAULT_MIN_SIMILARITY}
      initialFilter={filterFromParams((key) => first(params[key]))}
    />
  );
}
