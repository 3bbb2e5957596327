-- Ingest no longer runs ffprobe: the encode job probes the source and fills these in.
ALTER TABLE "Video" ALTER COLUMN "durationSeconds" DROP NOT NULL,
ALTER COLUMN "fps" DROP NOT NULL,
ALTER COLUMN "width" DROP NOT NULL,
ALTER COLUMN "height" DROP NOT NULL,
ALTER COLUMN "frameCount" DROP NOT NULL;
