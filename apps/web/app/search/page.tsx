import { redirect } from 'next/navigation';

/** /search?q=… is an alias of the home page, where search lives. */
export default async function SearchAlias({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(await searchParams)) {
    for (const item of Array.isArray(value) ? value : value ? [value] : []) params.append(key, item);
  }
  const query = params.toString();
  redirect(query ? `/?${query}` : '/');
}
