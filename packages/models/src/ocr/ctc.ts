/**
 * Greedy CTC decoding of [steps, classes] softmax output: best class per step, repeats
 * collapsed, blanks (class 0) dropped. `characters[c]` is the text of class c.
 */
export function ctcGreedyDecode(probabilities: Float32Array, steps: number, classes: number, characters: readonly string[]): { text: string; score: number } {
  let text = '';
  let confidence = 0;
  let kept = 0;
  let previous = -1;
  for (let step = 0; step < steps; step++) {
    const offset = step * classes;
    let best = 0;
    let bestProbability = probabilities[offset]!;
    for (let c = 1; c < classes; c++) {
      const p = probabilities[offset + c]!;
      if (p > bestProbability) {
        bestProbability = p;
        best = c;
      }
    }
    if (best !== 0 && best !== previous) {
      text += characters[best] ?? '';
      confidence += bestProbability;
      kept++;
    }
    previous = best;
  }
  return { text, score: kept > 0 ? confidence / kept : 0 };
}
