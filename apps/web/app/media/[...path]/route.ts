import { forward } from '../../../lib/proxy.ts';

export const dynamic = 'force-dynamic';
export const GET = forward;
export const POST = forward;
