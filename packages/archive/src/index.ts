export { TieringError, TieringService, type DemotionResult } from './tiering-service.ts';
