/** Mono PCM audio, samples in −1..1. */
export interface PcmAudio {
  readonly sampleRate: number;
  readonly samples: Float32Array;
}

/** A stretch of audio, in seconds from the start of the audio it was found in. */
export interface TimeSpan {
  readonly start: number;
  readonly end: number;
}

/** What was said over one stretch of audio. */
export interface TranscriptSegment extends TimeSpan {
  readonly text: string;
}

/** Speech to text: a built-in recogniser or a remote one. Segment times are relative to `audio`. */
export interface SpeechTranscriber {
  readonly id: string;
  transcribe(audio: PcmAudio, signal?: AbortSignal): Promise<TranscriptSegment[]>;
}

/** Finds the stretches of an audio track that hold speech. */
export interface VoiceActivityDetector {
  readonly id: string;
  detect(audio: PcmAudio): Promise<TimeSpan[]>;
}
