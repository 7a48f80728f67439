import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { saveSafetensors } from "@tapegrad/nn";
import { CLASSES, PIXELS, loadDigits, type Digits } from "./data.js";
import type { TrainOptions } from "./options.js";
import { Progress } from "./progress.js";
import { confusionMatrix, confusionMatrixSvg, curvesSvg, misclassifiedSvg, type Mistake } from "./svg.js";
import { train, type TrainResult } from "./train.js";

/** Paths of the files a run writes. */
export interface Outputs {
  curves: string;
  confusion: string;
  misclassified: string;
  weights: string;
}

/** Most misclassified digits drawn in the grid. */
const MAX_MISTAKES = 48;

/** The test digits the model got wrong, its most confident mistakes first. */
export function mistakes(result: TrainResult, limit = MAX_MISTAKES): Mistake[] {
  const pixels = result.test.X.toFloat64Array();
  const labels = result.test.y.toFloat64Array();
  const { predicted, confidence } = result.evaluation;
  const wrong: number[] = [];
  for (let i = 0; i < labels.length; i++) if (predicted[i] !== labels[i]) wrong.push(i);
  wrong.sort((a, b) => confidence[b]! - confidence[a]! || a - b);
  return wrong.slice(0, limit).map((i) => ({
    pixels: pixels.subarray(i * PIXELS, (i + 1) * PIXELS),
    predicted: predicted[i]!,
    actual: labels[i]!,
    confidence: confidence[i]!,
  }));
}

/** A one-line description of the network, for titles and metadata. */
export function describeNetwork(o: Pick<TrainOptions, "model">): string {
  return o.model === "mlp" ? "MLP 784-128-10" : "LeNet-style CNN (conv 8, conv 16, 256-120-84-10)";
}

/**
 * Trains with a progress bar, then writes into `o.out` the curves, the confusion matrix, the
 * grid of misclassified test digits and the weights (safetensors), and logs a summary
 * whose last line is `test accuracy NN.N%`.
 */
export function run(
  o: TrainOptions,
  log: (line: string) => void = console.log,
  progress?: Pick<Progress, "step" | "epoch">,
  digits?: Digits,
): { result: TrainResult; outputs: Outputs } {
  const started = performance.now();
  const bar = progress ?? new Progress(o.epochs);
  const result = train(
    o,
    {
      onStep: (epoch, step, stepsPerEpoch, loss) => bar.step(epoch, step, stepsPerEpoch, loss),
      onEpoch: (epoch, h) => bar.epoch(epoch, h.trainLoss[epoch - 1]!, h.trainAccuracy[epoch - 1]!, h.testAccuracy[epoch - 1]!, h.seconds[epoch - 1]!),
    },
    digits ?? loadDigits(),
  );
  mkdirSync(o.out, { recursive: true });
  const outputs: Outputs = {
    curves: join(o.out, "curves.svg"),
    confusion: join(o.out, "confusion-matrix.svg"),
    misclassified: join(o.out, "misclassified.svg"),
    weights: join(o.out, "model.safetensors"),
  };
  const network = describeNetwork(o);
  const accuracy = `${(result.evaluation.accuracy * 100).toFixed(1)}%`;
  const matrix = confusionMatrix(result.test.y.toFloat64Array(), result.evaluation.predicted, CLASSES);
  const wrong = mistakes(result);
  const errors = result.test.y.shape[0]! - matrix.reduce((s, row, t) => s + row[t]!, 0);
  writeFileSync(outputs.curves, curvesSvg(result.history, `${network}: Adam ${o.schedule} lr ${o.lr}, batches of ${o.batchSize}`));
  writeFileSync(outputs.confusion, confusionMatrixSvg(matrix, `${network}: test accuracy ${accuracy} on ${result.test.y.shape[0]} digits`));
  writeFileSync(outputs.misclassified, misclassifiedSvg(wrong, { title: `${network}: ${wrong.length < errors ? `${wrong.length} of the ` : ""}${errors} misclassified test digits` }));
  saveSafetensors(outputs.weights, result.model.stateDict(), { metadata: { network, model: o.model, testAccuracy: result.evaluation.accuracy.toFixed(4) } });
  const steps = result.history.stepLoss.length;
  log(
    [
      `training time ${result.seconds.toFixed(1)} s for ${o.epochs} epoch${o.epochs === 1 ? "" : "s"} (${steps} steps, ${((result.seconds * 1000) / steps).toFixed(1)} ms per step)`,
      `wrote ${outputs.curves}, ${outputs.confusion}, ${outputs.misclassified}, ${outputs.weights}`,
      `${((performance.now() - started) / 1000).toFixed(1)} s in all (loading the digits, training, evaluating, writing)`,
      `test accuracy ${accuracy}`,
    ].join("\n"),
  );
  return { result, outputs };
}
