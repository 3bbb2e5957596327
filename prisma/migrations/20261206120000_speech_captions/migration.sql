-- Speech captions: what is said in a video, transcribed with its own times (not tied to a clip).
ALTER TYPE "CaptionKind" ADD VALUE 'SPEECH';
ALTER TABLE "Caption" ADD COLUMN "startSeconds" DOUBLE PRECISION, ADD COLUMN "endSeconds" DOUBLE PRECISION;
