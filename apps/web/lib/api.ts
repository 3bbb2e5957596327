/** A minimal GraphQL client for the archive API (same origin, proxied by the web server). */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function graphql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const payload = (await response.json().catch(() => null)) as {
    data?: T;
    errors?: { message: string; extensions?: { code?: string } }[];
  } | null;
  const first = payload?.errors?.[0];
  if (first) throw new ApiError(first.extensions?.code ?? 'ERROR', first.message);
  if (!payload?.data) throw new ApiError('API_UNAVAILABLE', `The archive answered HTTP ${response.status}`);
  return payload.data;
}

export interface VideoSummary {
  id: string;
  title: string;
  status: 'QUEUED' | 'ENCODING' | 'READY' | 'FAILED';
  error: string | null;
  durationSeconds: number;
  width: number;
  height: number;
  sourceBytes: number;
  representationBytes: number | null;
  thumbnailUrl: string | null;
  createdAt: string;
}

export interface Moment {
  startSeconds: number;
  endSeconds: number;
  highlight: string;
  thumbnailUrl: string | null;
  score: number;
  caption: { kind: 'CONTENT' | 'MOTION'; text: string };
  video: { id: string; title: string };
}

export const VIDEOS_QUERY = /* GraphQL */ `
  query Videos($first: Int!, $after: String) {
    videos(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { id title status error durationSeconds width height sourceBytes representationBytes thumbnailUrl createdAt } }
    }
  }
`;

export const SEARCH_QUERY = /* GraphQL */ `
  query Search($query: String!, $first: Int!) {
    search(query: $query, first: $first) {
      edges { node { startSeconds endSeconds highlight thumbnailUrl score caption { kind text } video { id title } } }
    }
  }
`;
