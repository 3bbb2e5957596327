#!/usr/bin/env node
// Launcher for the TypeScript CLI: registers tsx's loader in-process (no npx, nothing downloaded).
import { register } from 'tsx/esm/api';

register();
await import('./cmvc.ts');
