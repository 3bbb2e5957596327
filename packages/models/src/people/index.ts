export { createPoseEstimator, decodeMultipose, KEYPOINTS, type BodyPose, type Keypoint, type KeypointName, type PoseEstimator, type PoseEstimatorOptions } from './pose.ts';
export { createHeadPoseEstimator, headPoseFromMesh, type HeadPose, type HeadPoseEstimator } from './head.ts';
export { createFaceAnalyzer, EXPRESSIONS, faceBox, type Expression, type FaceAnalyzer, type FaceAttributes } from './face.ts';
export {
  AGE_WORDS,
  EXPRESSION_WORDS,
  facingOf,
  FRAMINGS,
  framingOf,
  GARMENTS,
  thighsBox,
  HAND_POSES,
  handsFromBoxes,
  HAND_RULES,
  handsOf,
  nounFor,
  PEOPLE_THRESHOLDS,
  PERSON_NOUNS,
  personRecord,
  POSTURES,
  postureOf,
  torsoBox,
  type AgeWord,
  type ExpressionWord,
  type Framing,
  type Garment,
  type HandPose,
  type PersonNoun,
  type PersonRecord,
  type Posture,
} from './describe.ts';
export { createHandDetector, decodeHands, HAND_SHAPES, upperBodySquare, type HandBox, type HandDetector, type HandDetectorOptions, type HandShape } from './hands.ts';
