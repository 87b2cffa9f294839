// Running a functional tfjs model layer by layer, the way the training step and the inside views
// need it (to stop before the softmax head, or to see every layer's output): each layer applied
// to the outputs of the layers its one inbound node names, in model.layers order (topological).
import type * as tfjs from '@tensorflow/tfjs';

type Layer = tfjs.layers.Layer;

/** Whether the model is a functional graph (tf.model) rather than a tf.Sequential. */
export function isGraphModel(model: tfjs.LayersModel): boolean {
  return model.getClassName() !== 'Sequential';
}

/** One layer of the graph and the names of the layers whose outputs it takes. */
export interface GraphStep {
  layer: Layer;
  inputs: string[];
}

export interface GraphPlan {
  inputName: string;
  /** Every layer but the input, in model.layers order; the last one is the output layer. */
  steps: GraphStep[];
}

/** The model's graph as steps; throws for a model with more than one input or a shared layer (Layerlab builds neither). */
export function graphPlan(model: tfjs.LayersModel): GraphPlan {
  if (model.inputLayers.length !== 1 || model.outputLayers.length !== 1) throw new Error('a Layerlab graph model has one input and one output');
  const inputName = (model.inputLayers[0] as Layer).name;
  const steps = model.layers
    .filter((layer) => layer.name !== inputName)
    .map((layer): GraphStep => {
      if (layer.inboundNodes.length !== 1) throw new Error(`layer ${layer.name} is applied ${layer.inboundNodes.length} times; shared layers are not supported`);
      return { layer, inputs: (layer.inboundNodes[0] as { inboundLayers: Layer[] }).inboundLayers.map((l) => l.name) };
    });
  const last = steps[steps.length - 1];
  if (last === undefined || last.layer !== model.outputLayers[0]) throw new Error('the output layer is not the last layer of the model');
  return { inputName, steps };
}

/**
 * Applies the steps to `x`; returns the output of the last step run. `stopBefore` stops ahead of
 * that many trailing steps (1: everything but the output layer). `each` sees every step's output.
 * The caller owns the tensors (run it inside tidy or a tape).
 */
export function runGraph(
  plan: GraphPlan,
  x: tfjs.Tensor,
  training: boolean,
  options: { stopBefore?: number; each?: (index: number, step: GraphStep, out: tfjs.Tensor) => void } = {},
): { out: tfjs.Tensor; outputs: Map<string, tfjs.Tensor> } {
  const outputs = new Map<string, tfjs.Tensor>([[plan.inputName, x]]);
  const end = plan.steps.length - (options.stopBefore ?? 0);
  let out = x;
  for (let i = 0; i < end; i++) {
    const step = plan.steps[i] as GraphStep;
    const inputs = step.inputs.map((name) => {
      const t = outputs.get(name);
      if (t === undefined) throw new Error(`layer ${step.layer.name} needs ${name}, which has not run`);
      return t;
    });
    out = step.layer.apply(inputs.length === 1 ? (inputs[0] as tfjs.Tensor) : inputs, { training }) as tfjs.Tensor;
    outputs.set(step.layer.name, out);
    options.each?.(i, step, out);
  }
  return { out, outputs };
}

/** The tensor the output layer takes (for a one-input output layer), running everything before it. */
export function runToOutputInput(plan: GraphPlan, x: tfjs.Tensor, training: boolean): tfjs.Tensor {
  const last = plan.steps[plan.steps.length - 1] as GraphStep;
  if (last.inputs.length !== 1) throw new Error(`the output layer ${last.layer.name} takes ${last.inputs.length} inputs`);
  const { outputs } = runGraph(plan, x, training, { stopBefore: 1 });
  return outputs.get(last.inputs[0] as string) as tfjs.Tensor;
}
