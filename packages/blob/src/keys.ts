/** The one place that decides where each kind of blob lives. */
export const blobKeys = {
  upload: (uploadId: string) => `uploads/${uploadId}`,
  source: (sha256: string) => `sources/${sha256}`,
  videoPrefix: (videoId: string) => `videos/${videoId}/`,
  keyframe: (videoId: string, frameIndex: number, extension: string) =>
    `videos/${videoId}/keyframes/${String(frameIndex).padStart(8, '0')}.${extension}`,
  bitstream: (videoId: string) => `videos/${videoId}/representation.cmvc`,
  textOnlyBitstream: (videoId: string) => `videos/${videoId}/representation.text.cmvc`,
  renditionPrefix: (videoId: string) => `renditions/${videoId}/`,
  rendition: (videoId: string, renditionId: string, extension: string) =>
    `renditions/${videoId}/${renditionId}.${extension}`,
} as const;
