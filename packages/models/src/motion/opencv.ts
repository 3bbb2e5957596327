import type { CvMat } from '@cmvc/codec';

/** opencv.js is loaded once per process, by the codec's loader (which also tames its process hooks). */
export { farnebackFlow, loadOpenCv, type CvMat, type CvSize, type OpenCv, type OpenCvRuntime } from '@cmvc/codec';

/** Runs `body` and deletes every Mat it registered, whatever happens. */
export function withMats<T>(body: (track: <M extends CvMat>(mat: M) => M) => T): T {
  const mats: CvMat[] = [];
  try {
    return body((mat) => {
      mats.push(mat);
      return mat;
    });
  } finally {
    for (const mat of mats) mat.delete();
  }
}
