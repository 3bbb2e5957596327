export { TieringService, type DemotionResult } from './tiering-service.ts';
export { BlobReconciler, type ReconcileReport } from './blob-reconciler.ts';
