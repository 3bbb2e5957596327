-- Storage per bitstream section (header, keyframes, texts, weights, side channel), for the storage chart.
ALTER TABLE "Video" ADD COLUMN "bitstreamSections" JSONB;
