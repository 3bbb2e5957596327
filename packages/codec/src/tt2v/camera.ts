import type { CameraMotion } from '../contracts.ts';

/** Speeds assumed when the motion text names a direction but no rate. */
const DEFAULT_PAN_SPEED = 0.1; // frame widths (or heights) per second
const DEFAULT_ZOOM_RATE = 1.15; // scale per second
/** Bounds on the whole clip's camera travel, so the source canvas stays small. */
const MAX_TRAVEL = 1; // frame widths / heights
const MIN_TOTAL_ZOOM = 1 / 3;
const MAX_TOTAL_ZOOM = 3;

const STATIC: CameraMotion = { kind: 'static', dx: 0, dy: 0, zoom: 1 };

/**
 * Reads "pan left/right", "tilt up/down", "zoom in/out" or "static" from a motion text,
 * with an optional rate ("pans right at 0.12 frame widths per second"). The first camera
 * phrase wins; anything else is static.
 */
export function parseMotionText(text: string): CameraMotion {
  const lower = text.toLowerCase();
  const pattern = /\b(?:pan|pans|panning|panned)\s+(left|right)(?:\s+at\s+(\d+(?:\.\d+)?))?|\b(?:tilt|tilts|tilting|tilted)\s+(up|down)(?:\s+at\s+(\d+(?:\.\d+)?))?|\b(?:zoom|zooms|zooming|zoomed)\s+(in|out)\b/;
  const match = pattern.exec(lower);
  if (!match) return STATIC;
  const [, panDirection, panRate, tiltDirection, tiltRate, zoomDirection] = match;
  if (panDirection) {
    const speed = rate(panRate, DEFAULT_PAN_SPEED);
    return { kind: 'pan', dx: panDirection === 'right' ? speed : -speed, dy: 0, zoom: 1 };
  }
  if (tiltDirection) {
    const speed = rate(tiltRate, DEFAULT_PAN_SPEED);
    return { kind: 'tilt', dx: 0, dy: tiltDirection === 'down' ? speed : -speed, zoom: 1 };
  }
  return { kind: 'zoom', dx: 0, dy: 0, zoom: zoomDirection === 'in' ? DEFAULT_ZOOM_RATE : 1 / DEFAULT_ZOOM_RATE };
}

function rate(text: string | undefined, fallback: number): number {
  const value = text === undefined ? Number.NaN : Number(text);
  return Number.isFinite(value) && value > 0 ? Math.min(value, MAX_TRAVEL * 2) : fallback;
}

/** A crop window on the source canvas, in canvas pixels. */
export interface CropWindow {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface CameraPath {
  readonly canvasWidth: number;
  readonly canvasHeight: number;
  /** One window per output frame. */
  readonly windows: readonly CropWindow[];
}

/**
 * Plans the camera over an enlarged canvas: the first window is the frame itself; pans and
 * tilts move the window by (dx·W, dy·H) per second (+x right: the camera pans right, so the
 * content drifts left); zoom scales the window about its centre by 1/zoom per second. The
 * canvas is the union of all windows, supersampled so the smallest window still has at
 * least the frame's resolution, and capped at `maxCanvasPixels`.
 */
export function planCameraPath(camera: CameraMotion, width: number, height: number, frameCount: number, fps: number, maxCanvasPixels: number): CameraPath {
  const moving = camera.kind !== 'static';
  const seconds = Math.max(0, frameCount - 1) / fps;
  const totalDx = moving ? clamp(finite(camera.dx) * seconds, -MAX_TRAVEL, MAX_TRAVEL) : 0;
  const totalDy = moving ? clamp(finite(camera.dy) * seconds, -MAX_TRAVEL, MAX_TRAVEL) : 0;
  const zoomRate = moving && Number.isFinite(camera.zoom) && camera.zoom > 0 ? camera.zoom : 1;
  const totalZoom = clamp(zoomRate ** seconds, MIN_TOTAL_ZOOM, MAX_TOTAL_ZOOM);

  // Windows in frame units: centre (cx, cy) and size scale s relative to the frame.
  const plans = Array.from({ length: frameCount }, (_, f) => {
    const progress = frameCount > 1 ? f / (frameCount - 1) : 0;
    return { cx: totalDx * progress * width, cy: totalDy * progress * height, s: totalZoom ** -progress };
  });
  let minX = Number.POSITIVE_INFINITY;
  let minY = Number.POSITIVE_INFINITY;
  let maxX = Number.NEGATIVE_INFINITY;
  let maxY = Number.NEGATIVE_INFINITY;
  let minScale = Number.POSITIVE_INFINITY;
  for (const { cx, cy, s } of plans) {
    minX = Math.min(minX, cx - (width * s) / 2);
    maxX = Math.max(maxX, cx + (width * s) / 2);
    minY = Math.min(minY, cy - (height * s) / 2);
    maxY = Math.max(maxY, cy + (height * s) / 2);
    minScale = Math.min(minScale, s);
  }
  const sceneWidth = maxX - minX;
  const sceneHeight = maxY - minY;
  const supersample = Math.min(1 / minScale, Math.sqrt(maxCanvasPixels / (sceneWidth * sceneHeight)));
  const canvasWidth = Math.max(1, Math.round(sceneWidth * supersample));
  const canvasHeight = Math.max(1, Math.round(sceneHeight * supersample));
  const toCanvasX = canvasWidth / sceneWidth;
  const toCanvasY = canvasHeight / sceneHeight;
  const windows = plans.map(({ cx, cy, s }) => ({
    x: (cx - (width * s) / 2 - minX) * toCanvasX,
    y: (cy - (height * s) / 2 - minY) * toCanvasY,
    width: width * s * toCanvasX,
    height: height * s * toCanvasY,
  }));
  return { canvasWidth, canvasHeight, windows };
}

function finite(value: number): number {
  return Number.isFinite(value) ? value : 0;
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}
