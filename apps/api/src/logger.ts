import { pino } from 'pino';

/** Structured (JSON) logs of the API; error details go here, never to clients. */
export const logger = pino({ base: { service: 'cmvc-api' } });
