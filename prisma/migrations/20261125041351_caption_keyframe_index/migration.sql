-- CreateIndex
CREATE INDEX "Caption_keyframeId_idx" ON "Caption"("keyframeId");
