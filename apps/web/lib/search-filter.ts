import type { MomentFilter } from './api.ts';

/** The search filter as the form holds it (strings, as typed) and as the URL carries it. */
export interface FilterFields {
  tags: string;
  minDuration: string;
  maxDuration: string;
  after: string;
  before: string;
}

export const EMPTY_FILTER: FilterFields = { tags: '', minDuration: '', maxDuration: '', after: '', before: '' };

const URL_KEYS: Record<keyof FilterFields, string> = { tags: 'tags', minDuration: 'dmin', maxDuration: 'dmax', after: 'after', before: 'before' };

export function parseTags(text: string): string[] {
  return [...new Set(text.split(',').map((tag) => tag.trim().toLowerCase()).filter(Boolean))];
}

function seconds(text: string): number | undefined {
  const value = Number(text);
  return text.trim() !== '' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

function day(text: string, endOfDay: boolean): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return undefined;
  const date = new Date(`${text}T${endOfDay ? '23:59:59.999' : '00:00:00.000'}`);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** The API filter, or undefined when nothing narrows the search. */
export function toMomentFilter(fields: FilterFields): MomentFilter | undefined {
  const filter: MomentFilter = {};
  const tags = parseTags(fields.tags);
  if (tags.length > 0) filter.tags = tags;
  const min = seconds(fields.minDuration);
  if (min !== undefined) filter.minDurationSeconds = min;
  const max = seconds(fields.maxDuration);
  if (max !== undefined) filter.maxDurationSeconds = max;
  const after = day(fields.after, false);
  if (after) filter.createdAfter = after;
  const before = day(fields.before, true);
  if (before) filter.createdBefore = before;
  return Object.keys(filter).length > 0 ? filter : undefined;
}

export function activeFilterCount(fields: FilterFields): number {
  return Object.keys(toMomentFilter(fields) ?? {}).length;
}

export function filterFromParams(get: (key: string) => string | undefined): FilterFields {
  const fields = { ...EMPTY_FILTER };
  for (const key of Object.keys(URL_KEYS) as (keyof FilterFields)[]) fields[key] = get(URL_KEYS[key])?.slice(0, 500) ?? '';
  return fields;
}

export function writeFilterParams(fields: FilterFields, params: URLSearchParams): void {
  for (const key of Object.keys(URL_KEYS) as (keyof FilterFields)[]) {
    if (fields[key].trim()) params.set(URL_KEYS[key], fields[key].trim());
  }
}
