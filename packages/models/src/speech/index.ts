export type { PcmAudio, SpeechTranscriber, TimeSpan, TranscriptSegment, VoiceActivityDetector } from './types.ts';
export { assertPcmAudio, encodeWav, readSpeechAudio, sliceAudio, SPEECH_SAMPLE_RATE } from './audio.ts';
export { SileroVad, speechSpans, type SileroVadOptions } from './vad.ts';
export { parsePocketsphinxOutput, POCKETSPHINX_DECODER_ARGS, PocketsphinxTranscriber, type PocketsphinxOptions } from './pocketsphinx.ts';
export { OpenAiTranscriber, type OpenAiTranscriberOptions } from './openai-transcriber.ts';
export { speechChunks, transcribeSpeech, type SpeechPipeline } from './transcribe.ts';
