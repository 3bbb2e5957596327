import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { bitstreamSectionsOf, type Clip, type Keyframe, type MomentRow, type Rendition, type Video } from '@cmvc/db';
import { badUserInput, MAX_INGEST_ITEMS, MAX_PAGE_SIZE, notFound, type Principal } from '@cmvc/core';
import { canonicalRenditionParameters, eventStream, type ArchiveEvent, type RenditionOptions, type JobProgressEvent, type VideoUpdatedEvent } from '@cmvc/jobs';
import type { RequestContext } from '../context.ts';
import type { MutationResolvers, QueryResolvers, SubscriptionJobProgressArgs, SubscriptionVideoUpdatedArgs } from './generated/graphql.ts';

/** A field's arguments as its generated resolver type receives them (arguments with defaults are present). */
export type ArgsOf<R> = Parameters<Extract<NonNullable<R>, (...args: never[]) => unknown>>[1];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const keyframeUrl = (keyframe: Pick<Keyframe, 'id' | 'blobKey'>) =>
  keyframe.blobKey ? `/media/keyframes/${keyframe.id}` : null;

export function encodeCursor(kind: string, value: string): string {
  return Buffer.from(`${kind}:${value}`).toString('base64url');
}

export function decodeCursor(kind: string, cursor: string | null | undefined): string | undefined {
  if (cursor == null) return undefined;
  const decoded = Buffer.from(cursor, 'base64url').toString();
  if (!decoded.startsWith(`${kind}:`)) throw badUserInput('Invalid cursor');
  return decoded.slice(kind.length + 1);
}

export function pageSize(first: number): number {
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw badUserInput(`first must be between 1 and ${MAX_PAGE_SIZE}`);
  }
  return first;
}

function requireId(id: string): string {
  if (!UUID.test(id)) throw badUserInput(`Invalid id: ${id}`);
  return id;
}

/**
 * A scalar's parse error is GraphQL's own (graphql-js words and codes it as a variable or literal
 * error), so it stays a GraphQLError rather than a domain error.
 */
function invalidDateTime(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
}

const dateTime = new GraphQLScalarType({
  name: 'DateTime',
  serialize: (value) => (value instanceof Date ? value.toISOString() : String(value)),
  parseValue: (value) => {
    const date = new Date(String(value));
    if (Number.isNaN(date.getTime())) throw invalidDateTime('Invalid DateTime');
    return date;
  },
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw invalidDateTime('DateTime must be a string');
    const date = new Date(ast.value);
    if (Number.isNaN(date.getTime())) throw invalidDateTime(`Invalid DateTime: ${ast.value.slice(0, 40)}`);
    return date;
  },
});

export const resolvers = {
  DateTime: dateTime,

  Query: {
    me: (_: unknown, __: unknown, context: RequestContext) => viewer(context.principal),

    apiTokens: (_: unknown, __: unknown, context: RequestContext) => context.services.auth.listTokens(),

    video: (_: unknown, args: ArgsOf<QueryResolvers['video']>, context: RequestContext) =>
      context.loaders.videoById.load(requireId(args.id)),

    async videos(_: unknown, args: ArgsOf<QueryResolvers['videos']>, context: RequestContext) {
      const first = pageSize(args.first);
      const afterId = decodeCursor('video', args.after);
      if (afterId !== undefined) requireId(afterId);
      const page = await context.services.videos.page(first, afterId);
      const edges = page.nodes.map((node) => ({ cursor: encodeCursor('video', node.id), node }));
      return { edges, totalCount: page.totalCount, pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null } };
    },

    async search(
      _: unknown,
      args: ArgsOf<QueryResolvers['search']>,
      context: RequestContext,
    ) {
      const first = pageSize(args.first);
      const after = decodeCursor('moment', args.after);
      const offset = after === undefined ? 0 : Number(after) + 1;
      if (!Number.isSafeInteger(offset) || offset < 0) throw badUserInput('Invalid cursor');
      const page = await context.services.search.moments(args.query, first, offset, args.minSimilarity, withoutNulls(args.filter ?? {}));
      const edges = page.moments.map((node, position) => ({
        cursor: encodeCursor('moment', String(offset + position)),
        node,
      }));
      return { edges, pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null } };
    },
  },

  Mutation: {
    async login(_: unknown, args: ArgsOf<MutationResolvers['login']>, context: RequestContext) {
      const session = await context.services.auth.login(args.email, args.password, context.clientAddress);
      context.cookies?.set(session.cookie, session.expiresAt);
      return viewer(session.principal);
    },

    async logout(_: unknown, __: unknown, context: RequestContext) {
      const current = context.cookies?.current;
      if (current) await context.services.auth.logout(current);
      context.cookies?.clear();
      return true;
    },

    async createApiToken(_: unknown, args: ArgsOf<MutationResolvers['createApiToken']>, context: RequestContext) {
      const name = args.name.trim();
      if (!name || name.length > 100) throw badUserInput('Token names need 1 to 100 characters');
      const { token, record } = await context.services.auth.createToken(name, [...new Set(args.scopes)]);
      return { token, apiToken: record };
    },

    revokeApiToken: (_: unknown, args: ArgsOf<MutationResolvers['revokeApiToken']>, context: RequestContext) =>
      context.services.auth.revokeToken(requireId(args.id)),

    async demoteVideo(_: unknown, args: ArgsOf<MutationResolvers['demoteVideo']>, context: RequestContext) {
      if (args.to !== 'TT2V_ONLY') {
        throw badUserInput('Videos can only move down: the images a demotion dropped cannot be brought back');
      }
      return context.services.tiering.demoteToTextOnly(requireId(args.id));
    },

    updateVideo: (_: unknown, args: ArgsOf<MutationResolvers['updateVideo']>, context: RequestContext) =>
      context.services.videos.update(requireId(args.id), args),

    deleteVideos: (_: unknown, args: ArgsOf<MutationResolvers['deleteVideos']>, context: RequestContext) =>
      context.services.videos.delete(args.ids.map(requireId)),

    async ingestVideos(_: unknown, args: ArgsOf<MutationResolvers['ingestVideos']>, context: RequestContext) {
      if (args.inputs.length === 0) throw badUserInput('inputs is empty');
      if (args.inputs.length > MAX_INGEST_ITEMS) throw badUserInput(`At most ${MAX_INGEST_ITEMS} items per call, got ${args.inputs.length}`);
      return context.services.ingest.ingest(args.inputs);
    },

    requestRendition: (
      _: unknown,
      args: ArgsOf<MutationResolvers['requestRendition']>,
      context: RequestContext,
    ) => context.services.renditions.request(requireId(args.videoId), args.mode, args.options ?? {}),
  },

  Subscription: {
    jobProgress: {
      subscribe: (_: unknown, args: Partial<SubscriptionJobProgressArgs>, context: RequestContext) =>
        videoEvents<JobProgressEvent>(context, 'job-progress', args.videoId),
      resolve: (event: JobProgressEvent) => event,
    },
    videoUpdated: {
      subscribe: (_: unknown, args: Partial<SubscriptionVideoUpdatedArgs>, context: RequestContext) =>
        videoEvents<VideoUpdatedEvent>(context, 'video-updated', args.id),
      // Read fresh each time: the subscription's loaders would otherwise cache the first state.
      resolve: async (event: VideoUpdatedEvent, _: unknown, context: RequestContext) => {
        const video = await context.services.videos.find(event.videoId);
        if (!video) throw notFound(`Video ${event.videoId} no longer exists`);
        return video;
      },
    },
  },

  Video: {
    sourceBytes: (video: Video) => Number(video.sourceBytes),
    representationBytes: (video: Video) => video.bitstreamBytes,
    representationSections: (video: Video) => bitstreamSectionsOf(video),
    bytesSavedByTiering: (video: Video) => video.tieringSavedBytes,
    bitstreamUrl: (video: Video) => (video.bitstreamBlobKey ? `/media/bitstreams/${video.id}` : null),
    captionsUrl: (video: Video) => (video.status === 'READY' ? `/media/captions/${video.id}.vtt` : null),
    async speech(video: Video, _: unknown, context: RequestContext) {
      const captions = await context.loaders.captionsByVideoId.load(video.id);
      return captions
        .filter((caption) => caption.kind === 'SPEECH')
        .map((caption) => ({ startSeconds: caption.startSeconds ?? 0, endSeconds: caption.endSeconds ?? caption.startSeconds ?? 0, text: caption.text }))
        .sort((a, b) => a.startSeconds - b.startSeconds);
    },
    renditions: (video: Video, _: unknown, context: RequestContext) => context.loaders.renditionsByVideoId.load(video.id),
    keyframes: (video: Video, _: unknown, context: RequestContext) => context.loaders.keyframesByVideoId.load(video.id),
    clips: (video: Video, _: unknown, context: RequestContext) => context.loaders.clipsByVideoId.load(video.id),
    async thumbnailUrl(video: Video, _: unknown, context: RequestContext) {
      const [first] = await context.loaders.keyframesByVideoId.load(video.id);
      return first ? keyframeUrl(first) : null;
    },
  },

  Keyframe: {
    url: (keyframe: Keyframe) => keyframeUrl(keyframe),
    async description(keyframe: Keyframe, _: unknown, context: RequestContext) {
      const captions = await context.loaders.captionsByVideoId.load(keyframe.videoId);
      return captions.find((caption) => caption.kind === 'CONTENT' && caption.keyframeId === keyframe.id)?.text ?? null;
    },
  },

  Rendition: {
    format: (rendition: Rendition) => renditionParameters(rendition).format,
    upscale: (rendition: Rendition) => renditionParameters(rendition).upscale,
    url: (rendition: Rendition) => (rendition.status === 'READY' && rendition.blobKey ? `/media/renditions/${rendition.id}` : null),
    streamUrl: (rendition: Rendition) =>
      rendition.status === 'QUEUED' || rendition.status === 'RENDERING' || (rendition.status === 'READY' && rendition.playlist) ? `/media/renditions/${rendition.id}/index.m3u8` : null,
  },

  Clip: {
    async motion(clip: Clip, _: unknown, context: RequestContext) {
      const captions = await context.loaders.captionsByVideoId.load(clip.videoId);
      return captions.find((caption) => caption.kind === 'MOTION' && caption.clipId === clip.id)?.text ?? null;
    },
  },

  Moment: {
    async video(moment: MomentRow, _: unknown, context: RequestContext) {
      const video = await context.loaders.videoById.load(moment.videoId);
      if (!video) throw notFound(`Video ${moment.videoId} no longer exists`);
      return video;
    },
    async clip(moment: MomentRow, _: unknown, context: RequestContext): Promise<Clip | null> {
      if (!moment.clipId) return null;
      const clips = await context.loaders.clipsByVideoId.load(moment.videoId);
      return clips.find((clip) => clip.id === moment.clipId) ?? null;
    },
    caption: (moment: MomentRow) => ({ id: moment.captionId, kind: moment.kind, text: moment.text }),
    highlight: (moment: MomentRow) => escapeExceptMarks(moment.highlight),
    async thumbnailUrl(moment: MomentRow, _: unknown, context: RequestContext) {
      if (!moment.keyframeId) return null;
      const keyframes = await context.loaders.keyframesByVideoId.load(moment.videoId);
      const keyframe = keyframes.find((candidate) => candidate.id === moment.keyframeId);
      return keyframe ? keyframeUrl(keyframe) : null;
    },
  },
};

type NullableFields<T> = { [K in keyof T]?: T[K] | null };

/** GraphQL sends omitted-or-null optional input fields as null; the services take absent ones. */
function withoutNulls<T extends object>(input: NullableFields<T>): T {
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== null && value !== undefined)) as T;
}

/** The events of one type about one video, or (no id) about every video. */
function videoEvents<E extends JobProgressEvent | VideoUpdatedEvent>(context: RequestContext, type: E['type'], videoId: string | null | undefined) {
  const id = videoId == null ? null : requireId(videoId);
  return eventStream(context.services.events, (event: ArchiveEvent): event is E => event.type === type && (id === null || (event as E).videoId === id));
}

function viewer(principal: Principal) {
  return principal.kind === 'anonymous' ? null : { name: principal.name, kind: principal.kind, scopes: [...principal.scopes] };
}

const renditionParameters = (rendition: Rendition) => canonicalRenditionParameters(rendition.parameters as RenditionOptions);

/** Captions are user-visible text: escape everything except the <mark> tags ts_headline inserted. */
function escapeExceptMarks(html: string): string {
  return html
    .split(/(<\/?mark>)/)
    .map((part) => (part === '<mark>' || part === '</mark>' ? part : escapeHtml(part)))
    .join('');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}
