// Worker entry: worker threads do not inherit tsx's loader, so register it before loading the TypeScript entry.
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
await import(workerData.entry);
