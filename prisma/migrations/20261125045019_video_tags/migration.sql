-- AlterTable
ALTER TABLE "Video" ADD COLUMN     "tags" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- CreateIndex
CREATE INDEX "Video_tags_idx" ON "Video" USING GIN ("tags");
