-- pgvector (built by scripts/setup-system.sh) provides the "vector" type and HNSW indexes.
CREATE EXTENSION IF NOT EXISTS vector;

-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "VideoStatus" AS ENUM ('QUEUED', 'ENCODING', 'READY', 'FAILED');

-- CreateEnum
CREATE TYPE "CaptionKind" AS ENUM ('CONTENT', 'MOTION');

-- CreateEnum
CREATE TYPE "RenditionMode" AS ENUM ('TT2V', 'IT2V');

-- CreateEnum
CREATE TYPE "RenditionStatus" AS ENUM ('QUEUED', 'RENDERING', 'READY', 'FAILED');

-- CreateTable
CREATE TABLE "Video" (
    "id" UUID NOT NULL,
    "title" TEXT NOT NULL,
    "sha256" CHAR(64) NOT NULL,
    "sourceBytes" BIGINT NOT NULL,
    "durationSeconds" DOUBLE PRECISION NOT NULL,
    "fps" DOUBLE PRECISION NOT NULL,
    "width" INTEGER NOT NULL,
    "height" INTEGER NOT NULL,
    "frameCount" INTEGER NOT NULL,
    "sourceBlobKey" TEXT,
    "bitstreamBlobKey" TEXT,
    "bitstreamBytes" INTEGER,
    "status" "VideoStatus" NOT NULL DEFAULT 'QUEUED',
    "error" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Video_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Clip" (
    "id" UUID NOT NULL,
    "videoId" UUID NOT NULL,
    "index" INTEGER NOT NULL,
    "startFrame" INTEGER NOT NULL,
    "endFrame" INTEGER NOT NULL,
    "startSeconds" DOUBLE PRECISION NOT NULL,
    "endSeconds" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "Clip_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Keyframe" (
    "id" UUID NOT NULL,
    "videoId" UUID NOT NULL,
    "frameIndex" INTEGER NOT NULL,
    "timeSeconds" DOUBLE PRECISION NOT NULL,
    "blobKey" TEXT,
    "bytes" INTEGER NOT NULL,
    "format" TEXT NOT NULL,
    "width" INTEGER NOT NULL,
    "height" INTEGER NOT NULL,

    CONSTRAINT "Keyframe_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Caption" (
    "id" UUID NOT NULL,
    "videoId" UUID NOT NULL,
    "clipId" UUID,
    "keyframeId" UUID,
    "kind" "CaptionKind" NOT NULL,
    "text" TEXT NOT NULL,
    "search" tsvector GENERATED ALWAYS AS (to_tsvector('english', "text")) STORED,

    CONSTRAINT "Caption_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Embedding" (
    "id" UUID NOT NULL,
    "captionId" UUID NOT NULL,
    "model" TEXT NOT NULL,
    "vector" vector(512) NOT NULL,

    CONSTRAINT "Embedding_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Rendition" (
    "id" UUID NOT NULL,
    "videoId" UUID NOT NULL,
    "mode" "RenditionMode" NOT NULL,
    "parametersHash" CHAR(64) NOT NULL,
    "parameters" JSONB NOT NULL,
    "status" "RenditionStatus" NOT NULL DEFAULT 'QUEUED',
    "progress" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "error" TEXT,
    "blobKey" TEXT,
    "bytes" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Rendition_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Video_sha256_key" ON "Video"("sha256");

-- CreateIndex
CREATE INDEX "Video_createdAt_idx" ON "Video"("createdAt");

-- CreateIndex
CREATE INDEX "Video_status_idx" ON "Video"("status");

-- CreateIndex
CREATE UNIQUE INDEX "Clip_videoId_index_key" ON "Clip"("videoId", "index");

-- CreateIndex
CREATE UNIQUE INDEX "Keyframe_videoId_frameIndex_key" ON "Keyframe"("videoId", "frameIndex");

-- CreateIndex
CREATE INDEX "Caption_videoId_idx" ON "Caption"("videoId");

-- CreateIndex
CREATE INDEX "Caption_clipId_idx" ON "Caption"("clipId");

-- CreateIndex: full-text search over caption text
CREATE INDEX "Caption_search_idx" ON "Caption" USING GIN ("search");

-- CreateIndex
CREATE UNIQUE INDEX "Embedding_captionId_key" ON "Embedding"("captionId");

-- CreateIndex: approximate nearest-neighbour search by cosine distance
CREATE INDEX "Embedding_vector_idx" ON "Embedding" USING hnsw ("vector" vector_cosine_ops);

-- CreateIndex
CREATE UNIQUE INDEX "Rendition_videoId_mode_parametersHash_key" ON "Rendition"("videoId", "mode", "parametersHash");

-- AddForeignKey
ALTER TABLE "Clip" ADD CONSTRAINT "Clip_videoId_fkey" FOREIGN KEY ("videoId") REFERENCES "Video"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Keyframe" ADD CONSTRAINT "Keyframe_videoId_fkey" FOREIGN KEY ("videoId") REFERENCES "Video"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Caption" ADD CONSTRAINT "Caption_videoId_fkey" FOREIGN KEY ("videoId") REFERENCES "Video"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Caption" ADD CONSTRAINT "Caption_clipId_fkey" FOREIGN KEY ("clipId") REFERENCES "Clip"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Caption" ADD CONSTRAINT "Caption_keyframeId_fkey" FOREIGN KEY ("keyframeId") REFERENCES "Keyframe"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Embedding" ADD CONSTRAINT "Embedding_captionId_fkey" FOREIGN KEY ("captionId") REFERENCES "Caption"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Rendition" ADD CONSTRAINT "Rendition_videoId_fkey" FOREIGN KEY ("videoId") REFERENCES "Video"("id") ON DELETE CASCADE ON UPDATE CASCADE;
