-- Progressive playback: renditions are rendered as HLS segments the player can fetch while the render goes on.
ALTER TABLE "Rendition" ADD COLUMN "playlist" TEXT, ADD COLUMN "segmentCount" INTEGER, ADD COLUMN "wantedSegment" INTEGER;

CREATE TABLE "RenditionSegment" (
    "renditionId" UUID NOT NULL,
    "index" INTEGER NOT NULL,
    "blobKey" TEXT NOT NULL,
    "bytes" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RenditionSegment_pkey" PRIMARY KEY ("renditionId","index")
);

ALTER TABLE "RenditionSegment" ADD CONSTRAINT "RenditionSegment_renditionId_fkey" FOREIGN KEY ("renditionId") REFERENCES "Rendition"("id") ON DELETE CASCADE ON UPDATE CASCADE;
