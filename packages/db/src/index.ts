export { createDatabase, HNSW_EF_SEARCH, hnswConnectionOptions, type Database, type DatabaseOptions } from './client.ts';
export { VideoRepository, type ArchiveTotals, type NewVideo, type Page, type QueuedVideo, type VideoMedia } from './repositories/video-repository.ts';
export { KeyframeRepository } from './repositories/keyframe-repository.ts';
export {
  RepresentationRepository,
  bitstreamSectionsOf,
  toVectorLiteral,
  type BitstreamSectionSize,
  type StoredBitstream,
  type StoredCaption,
  type StoredClip,
  type StoredKeyframe,
  type StoredRepresentation,
} from './repositories/representation-repository.ts';
export { SearchRepository, TEXT_MATCH_MIN, type KeyframeMatch, type MomentFilter, type MomentQuery, type MomentRow, type SearchOptions } from './repositories/search-repository.ts';
export type { Video, Clip, Keyframe, Caption, Rendition, RenditionSegment } from './generated/client.ts';
export { VideoStatus, CaptionKind, RenditionMode, RenditionStatus, StorageTier } from './generated/enums.ts';
export { RenditionRepository } from './repositories/rendition-repository.ts';
export { AuthRepository } from './repositories/auth-repository.ts';
export type { ApiToken, Scope, Session, User } from './generated/client.ts';
