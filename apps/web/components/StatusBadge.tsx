import type { RenditionStatus, VideoStatus } from '../lib/api.ts';

const LABELS: Record<VideoStatus | RenditionStatus, string> = {
  QUEUED: 'Queued',
  ENCODING: 'Encoding',
  RENDERING: 'Rendering',
  READY: 'Ready',
  FAILED: 'Failed',
};

export function StatusBadge({ status }: { status: VideoStatus | RenditionStatus }) {
  return <span className={`status status-${status.toLowerCase()}`}>{LABELS[status]}</span>;
}
