-- CreateEnum
CREATE TYPE "StorageTier" AS ENUM ('FULL', 'TT2V_ONLY');

-- AlterTable
ALTER TABLE "Video" ADD COLUMN     "tier" "StorageTier" NOT NULL DEFAULT 'FULL',
ADD COLUMN     "tieringSavedBytes" INTEGER NOT NULL DEFAULT 0;
