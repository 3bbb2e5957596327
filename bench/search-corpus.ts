import { seededRandom } from '@cmvc/codec';
/**
 * A deterministic synthetic archive for the search benchmark: captions built from small word
 * lists and 512-d unit embeddings with a topic structure (a shared "anisotropy" direction, a few
 * hundred topic centroids, camera-move centroids for motion captions, and per-row noise), so
 * that HNSW and the full-text index see data shaped like real caption embeddings.
 */

export const EMBEDDING_DIMENSIONS = 512;
export const CLIPS_PER_VIDEO = 4;
/** Each clip carries one content and one motion caption, each with an embedding. */
export const CAPTIONS_PER_CLIP = 2;

const SUBJECTS = [
  'dog', 'cat', 'horse', 'child', 'woman', 'man', 'cyclist', 'surfer', 'skier', 'eagle',
  'fox', 'deer', 'car', 'train', 'sailboat', 'airplane', 'drone', 'robot', 'chef', 'dancer',
  'runner', 'guitarist', 'crowd', 'elephant', 'lion', 'whale', 'dolphin', 'butterfly', 'squirrel', 'rabbit',
  'skateboarder', 'firefighter', 'farmer', 'painter', 'teacher', 'baby', 'couple', 'motorcycle', 'penguin', 'goat',
] as const;
const ADJECTIVES = [
  'small', 'large', 'young', 'old', 'brown', 'white', 'black', 'red', 'happy', 'tired',
  'muddy', 'curious', 'lonely', 'playful', 'shiny', 'dusty', 'graceful', 'noisy', 'calm', 'busy',
] as const;
const ACTIONS = [
  'walking', 'running', 'jumping', 'swimming', 'flying', 'sitting', 'standing', 'eating', 'playing', 'dancing',
  'climbing', 'riding', 'driving', 'sleeping', 'reading', 'cooking', 'singing', 'talking', 'laughing', 'fishing',
  'skating', 'painting', 'waving', 'resting', 'chasing a ball', 'crossing', 'turning around', 'carrying a box', 'hiding', 'spinning',
] as const;
const SCENES = [
  'on a sandy beach', 'in a snowy forest', 'in a busy city street', 'on a mountain trail', 'in a kitchen',
  'in a living room', 'at a train station', 'in a park', 'by a river', 'on a frozen lake',
  'in a desert', 'in a wheat field', 'at a harbor', 'in a stadium', 'in a classroom',
  'on a rooftop', 'in a garden', 'at a market', 'in a library', 'on a bridge',
  'in a cave', 'on a farm', 'at a concert', 'in a parking lot', 'near a coral reef',
  'in a meadow', 'on a highway', 'in a subway car', 'at an airport', 'in a vineyard',
] as const;
const LIGHTING = [
  'at sunset', 'at night', 'in bright daylight', 'under cloudy skies', 'at dawn', 'in golden hour light',
  'in thick fog', 'under neon lights', 'in the rain', 'during a snowfall', 'in soft morning light', 'under a full moon',
] as const;
const CAMERA_MOVES = [
  'pans left', 'pans right', 'tilts up', 'tilts down', 'zooms in', 'zooms out', 'stays still', 'tracks forward',
  'follows closely', 'orbits slowly', 'shakes slightly', 'dollies back', 'cranes up', 'whips around', 'drifts sideways',
] as const;
const MOVEMENTS = ['moves', 'turns', 'accelerates', 'slows down', 'drifts', 'rotates', 'bounces', 'glides', 'stumbles', 'leaps'] as const;
const DIRECTIONS = [
  'from left to right', 'from right to left', 'toward the camera', 'away from the camera', 'upward', 'downward', 'in a circle', 'across the frame',
] as const;
const SPEEDS = ['slowly', 'quickly', 'smoothly', 'steadily', 'abruptly', 'gently'] as const;


/** Mixes two integers into a PRNG seed, so every row gets its own stream independent of batching. */
export function seedFor(base: number, index: number): number {
  let h = (base ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

function gaussian(random: () => number): number {
  // Box–Muller; 1 - random() keeps the logarithm finite.
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

function randomUnitVector(random: () => number): Float32Array {
  const vector = new Float32Array(EMBEDDING_DIMENSIONS);
  for (let index = 0; index < vector.length; index += 1) vector[index] = gaussian(random);
  return normalize(vector);
}

function normalize(vector: Float32Array): Float32Array {
  let norm = 0;
  for (const value of vector) norm += value * value;
  const scale = 1 / Math.sqrt(norm);
  for (let index = 0; index < vector.length; index += 1) vector[index]! *= scale;
  return vector;
}

interface Topic {
  readonly subject: (typeof SUBJECTS)[number];
  readonly scene: (typeof SCENES)[number];
  readonly centroid: Float32Array;
}

export interface SyntheticClip {
  readonly videoIndex: number;
  /** Position of the clip inside its video. */
  readonly index: number;
  readonly content: { readonly text: string; readonly embedding: Float32Array };
  readonly motion: { readonly text: string; readonly embedding: Float32Array };
}

export type QueryKind = 'content' | 'motion' | 'broad';

export interface SyntheticQuery {
  readonly kind: QueryKind;
  readonly text: string;
  readonly embedding: Float32Array;
}

/** Weight of the direction every embedding shares (real text embeddings are anisotropic). */
const SHARED_DIRECTION_WEIGHT = 0.5;
const MOTION_CENTROID_WEIGHT = 0.6;

export class SyntheticCorpus {
  private readonly topics: Topic[];
  private readonly sharedDirection: Float32Array;
  private readonly cameraCentroids: Float32Array[];

  constructor(
    private readonly seed: number,
    topicCount: number,
  ) {
    const random = seededRandom(seed);
    this.sharedDirection = randomUnitVector(random);
    this.cameraCentroids = CAMERA_MOVES.map(() => randomUnitVector(random));
    this.topics = Array.from({ length: topicCount }, (_, index) => ({
      // Spread topics over subject × scene pairs so that each pair is a distinct topic.
      subject: SUBJECTS[index % SUBJECTS.length]!,
      scene: SCENES[Math.floor(index / SUBJECTS.length + index * 7) % SCENES.length]!,
      centroid: randomUnitVector(random),
    }));
  }

  /** The clip with global index `clipIndex`; the same index always yields the same clip. */
  clip(clipIndex: number): SyntheticClip {
    const videoIndex = Math.floor(clipIndex / CLIPS_PER_VIDEO);
    const videoTopic = this.popularTopic(seededRandom(seedFor(this.seed, videoIndex)));
    const random = seededRandom(seedFor(this.seed ^ 0x5bd1e995, clipIndex));
    const topic = random() < 0.8 ? videoTopic : this.popularTopic(random);
    const subject = random() < 0.9 ? topic.subject : pick(random, SUBJECTS);
    const scene = random() < 0.85 ? topic.scene : pick(random, SCENES);
    const adjective = pick(random, ADJECTIVES);
    const contentText = `${/^[aeiou]/.test(adjective) ? 'an' : 'a'} ${adjective} ${subject} ${pick(random, ACTIONS)} ${scene} ${pick(random, LIGHTING)}`;
    const cameraMove = Math.floor(random() * CAMERA_MOVES.length);
    const motionText = `the camera ${CAMERA_MOVES[cameraMove]} as the ${subject} ${pick(random, MOVEMENTS)} ${pick(random, DIRECTIONS)} ${pick(random, SPEEDS)}`;
    return {
      videoIndex,
      index: clipIndex % CLIPS_PER_VIDEO,
      content: { text: contentText, embedding: this.embed(random, topic, null) },
      motion: { text: motionText, embedding: this.embed(random, topic, cameraMove) },
    };
  }

  /** Queries drawn from the same vocabulary, with embeddings near the topic they ask about. */
  queries(count: number, seed: number): SyntheticQuery[] {
    const random = seededRandom(seed);
    return Array.from({ length: count }, () => {
      const topic = this.popularTopic(random);
      const roll = random();
      if (roll < 0.6) {
        return { kind: 'content', text: `${topic.subject} ${pick(random, ACTIONS)} ${topic.scene}`, embedding: this.embed(random, topic, null) };
      }
      if (roll < 0.85) {
        const cameraMove = Math.floor(random() * CAMERA_MOVES.length);
        return { kind: 'motion', text: `camera ${CAMERA_MOVES[cameraMove]} ${topic.subject}`, embedding: this.embed(random, topic, cameraMove) };
      }
      // One common word: the full-text half matches a large share of all captions.
      const word = random() < 0.5 ? topic.subject : pick(random, ['walking', 'camera', 'slowly', 'night']);
      return { kind: 'broad', text: word, embedding: this.embed(random, topic, null) };
    });
  }

  /** Topics follow a skewed popularity: a few are common, most are rare, as in real archives. */
  private popularTopic(random: () => number): Topic {
    return this.topics[Math.floor(this.topics.length * random() ** 1.6)]!;
  }

  private embed(random: () => number, topic: Topic, cameraMove: number | null): Float32Array {
    const vector = new Float32Array(EMBEDDING_DIMENSIONS);
    // Noise norm between 0.7 and 1.1: same-topic cosine ≈ 0.5–0.7, unrelated ≈ 0.1–0.2.
    const noiseScale = (0.7 + 0.4 * random()) / Math.sqrt(EMBEDDING_DIMENSIONS);
    const camera = cameraMove === null ? null : this.cameraCentroids[cameraMove]!;
    for (let index = 0; index < EMBEDDING_DIMENSIONS; index += 1) {
      vector[index] =
        SHARED_DIRECTION_WEIGHT * this.sharedDirection[index]! +
        topic.centroid[index]! +
        (camera ? MOTION_CENTROID_WEIGHT * camera[index]! : 0) +
        noiseScale * gaussian(random);
    }
    return normalize(vector);
  }
}
